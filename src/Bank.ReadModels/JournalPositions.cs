using Bank.ReadModels.Projections;

namespace Bank.ReadModels;

/// <summary>
/// Positions in Akka.Persistence.Sql's journal table, for the host: the highest ordering (how far the journal is), and the
/// ordering of one event, which the host returns with a command's answer so that the client can read its own write
/// (<see cref="Projection.WaitForOffsetAsync"/>). Cheap: prepared statements on pooled connections.
/// </summary>
public abstract class JournalPositions : IAsyncDisposable
{
    /// <summary>The journal in a SQLite file (the connection string Akka.Persistence.Sql uses).</summary>
    public static JournalPositions Sqlite(string connectionString, JournalTables? tables = null) =>
        new SqliteJournalPositions(connectionString, tables ?? JournalTables.Default);

    /// <summary>The journal in a PostgreSQL database (the connection string Akka.Persistence.Sql uses).</summary>
    public static JournalPositions Postgres(string connectionString, JournalTables? tables = null) =>
        new PostgresJournalPositions(connectionString, tables ?? JournalTables.Default);

    /// <summary>The journal's highest ordering; 0 when it is empty (or its tables do not exist yet).</summary>
    public abstract Task<long> HighestOffsetAsync(CancellationToken cancellationToken = default);

    /// <summary>The ordering of event <paramref name="sequenceNr"/> of <paramref name="persistenceId"/>; null when the journal does not hold it.</summary>
    public abstract Task<long?> OrderingOfAsync(string persistenceId, long sequenceNr, CancellationToken cancellationToken = default);

    /// <summary>Whether the journal's table exists: Akka.Persistence.Sql creates it when its journal starts (auto-initialize).</summary>
    public abstract Task<bool> JournalExistsAsync(CancellationToken cancellationToken = default);

    public abstract ValueTask DisposeAsync();

    private protected static string HighestSql(string journal) => $"SELECT MAX(ordering) FROM {journal}";

    // The journal's unique index on (persistence_id, sequence_number) makes this one index probe.
    private protected static string OrderingSql(string journal, string persistenceId, string sequenceNr) =>
        $"SELECT ordering FROM {journal} WHERE persistence_id = {persistenceId} AND sequence_number = {sequenceNr}";
}
