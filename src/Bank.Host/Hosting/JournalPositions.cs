using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bank.Host.Hosting;

/// <summary>
/// Positions in the journal's tables (Akka.Persistence.Sql's default mapping: <c>journal(ordering, persistence_id,
/// sequence_number, ...)</c>): the global ordering of one event, which command answers carry so that a client can read
/// its own writes on the read side, and the highest ordering, which readiness and read-your-writes ask for.
/// </summary>
public sealed class JournalPositions(Func<DbConnection> connect, bool positionalParameters)
{
    public static JournalPositions For(BankHocon hocon) => hocon.Journal == JournalKind.Sqlite
        ? new JournalPositions(() => new SqliteConnection(hocon.ConnectionString), positionalParameters: false)
        : new JournalPositions(() => new NpgsqlConnection(hocon.ConnectionString), positionalParameters: true);

    /// <summary>The ordering of the event <paramref name="sequenceNr"/> of <paramref name="persistenceId"/>; null if it is not (or no longer) there.</summary>
    public async Task<long?> OrderingOfAsync(string persistenceId, long sequenceNr, CancellationToken cancellationToken)
    {
        await using var connection = connect();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = positionalParameters
            ? "SELECT ordering FROM journal WHERE persistence_id = $1 AND sequence_number = $2"
            : "SELECT ordering FROM journal WHERE persistence_id = $id AND sequence_number = $seq";
        Add(command, "$id", persistenceId);
        Add(command, "$seq", sequenceNr);
        var ordering = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return ordering is null or DBNull ? null : Convert.ToInt64(ordering);
    }

    /// <summary>The journal's highest ordering; 0 when it is empty or its table does not exist yet.</summary>
    public async Task<long> HighestOrderingAsync(CancellationToken cancellationToken)
    {
        await using var connection = connect();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT max(ordering) FROM journal";
        // Before the first write Akka.Persistence.Sql may not have created its tables yet.
        if (!await JournalTableExistsAsync(connection, cancellationToken).ConfigureAwait(false)) return 0;
        var highest = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return highest is null or DBNull ? 0 : Convert.ToInt64(highest);
    }

    private async Task<bool> JournalTableExistsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = positionalParameters
            ? "SELECT to_regclass('journal') IS NOT NULL"
            : "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'journal'";
        return Convert.ToBoolean(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false));
    }

    private void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        if (!positionalParameters) parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
