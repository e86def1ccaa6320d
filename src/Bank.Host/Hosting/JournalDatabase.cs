using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bank.Host.Hosting;

/// <summary>
/// Readies the journal's database before the actor system starts: the SQLite file's directory and its WAL mode (which
/// Microsoft.Data.Sqlite cannot set from a connection string, and which stays set in the file), and a database written
/// by the earlier home-made runtime is refused with what to do, never half-read. The tables themselves are created by
/// Akka.Persistence.Sql (auto-initialize) and by the read model.
/// </summary>
internal sealed class JournalDatabase(BankHocon hocon, ILogger<JournalDatabase> logger) : IHostedService
{
    /// <summary>The tag table of the earlier runtime; Akka.Persistence.Sql's is called <c>tags</c>.</summary>
    private const string LegacyTagTable = "event_tag";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (hocon.Journal == JournalKind.Sqlite)
        {
            await PrepareSqliteAsync(hocon.ConnectionString, cancellationToken).ConfigureAwait(false);
            CreateDirectoryOf(hocon.ReadModelSqliteConnectionString);
        }
        else await PreparePostgresAsync(hocon.ConnectionString, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task PrepareSqliteAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var file = builder.DataSource;
        var inMemory = CreateDirectoryOf(connectionString);

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", LegacyTagTable);
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)) > 0)
            throw Legacy($"the SQLite file {Path.GetFullPath(file)}", "BANK_SQLITE (e.g. \"Data Source=./data/bank-akka.db\")");

        if (inMemory) return;
        command.Parameters.Clear();
        command.CommandText = "PRAGMA journal_mode = WAL";
        var mode = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            logger.LogWarning("The SQLite journal {File} is in journal mode {Mode}, not WAL: writes are slower and readers wait for writers.", file, mode);
    }

    /// <summary>Creates the directory of the SQLite file <paramref name="connectionString"/> names; true for an in-memory database.</summary>
    private static bool CreateDirectoryOf(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var file = builder.DataSource;
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(file) || file == ":memory:") return true;
        if (Path.GetDirectoryName(Path.GetFullPath(file)) is { Length: > 0 } directory) Directory.CreateDirectory(directory);
        return false;
    }

    private static async Task PreparePostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT to_regclass(@name) IS NOT NULL", connection);
        command.Parameters.AddWithValue("name", LegacyTagTable);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            throw Legacy($"the PostgreSQL database {connection.Database}", "ACTORS_POSTGRES (a new, empty database)");
    }

    private static InvalidOperationException Legacy(string where, string setting) => new(
        $"{char.ToUpperInvariant(where[0])}{where[1..]} was written by the earlier Actors runtime (it has the table '{LegacyTagTable}'), " +
        "whose journal format Akka.Persistence.Sql cannot read. Nothing was read or changed. Start the host on a new database " +
        $"with {setting}; the old one stays as it is for the old version of the host.");
}
