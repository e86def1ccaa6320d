using System.Diagnostics;
using System.Globalization;
using System.Text;
using Actors.Benchmarks.Nodes;
using Actors.Benchmarks.Shared;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Benchmarks.Persistence;

/// <summary>
/// What the storage allows without Akka: one connection inserting pre-serialized events into Akka.Persistence.Sql's
/// own tables (a journal row and a tag row per event, as the account actor's tagged events are stored), committing
/// every B events and waiting for each commit to be durable, as fast as it can for a fixed time. SQLite: WAL,
/// synchronous=FULL, prepared statements, 100 and 1,000 events per transaction. PostgreSQL (fsync on): multi-row
/// INSERTs of 100 events (journal rows and their tag rows in one statement), 1,000 per transaction; and binary COPY of
/// 1,000 journal rows and their tag rows per transaction. No journal can beat these at the same batch size; set beside
/// the sharded-asks figures they show how far the write path is from the disk.
/// </summary>
public sealed class DiskLimitsBenchmark : Benchmark
{
    private readonly BenchOption<double> _seconds = new("seconds", 3.0, "Length of each run.");
    private readonly BenchOption<bool> _skipPostgres = new("skip-postgres", false, "Measure SQLite only.");

    public override string Name => "disk-limits";
    public override string Description => "Raw storage limits without Akka: SQLite (WAL, FULL) and PostgreSQL (fsync on) storing pre-serialized events and tag rows; events/s.";
    public override IEnumerable<IBenchOption> Options => [_seconds, _skipPostgres];

    private const string Notes = "shared/AKKA-NOTES.md (raw disk ~58 k events/s on SQLite at 1,000 per transaction, ~95 k/s with PostgreSQL binary COPY)";

    // A MoneyDeposited as the bank serializer writes it.
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes(
        "{\"accountId\":\"acc-000123\",\"amount\":1,\"balanceAfter\":57,\"commandId\":\"6f1c1b0e-59a4-4f8e-9d43-0f6f2b5b0a11\",\"at\":\"2026-11-23T00:00:00+00:00\"}");

    private const string Manifest = "bank.money-deposited.v1";
    private const int SerializerId = 7411;

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(Math.Clamp(context.Get(_seconds), 0.2, 60));
        var runs = context.Runs(3);
        var results = new List<BenchmarkResult>();
        foreach (var batch in new[] { 100, 1000 })
        {
            var metric = new Metric("events/s", Better.Higher, batch == 1000 ? 58e3 : null, batch == 1000 ? Notes : null);
            var name = $"{Name}-sqlite-x{batch}";
            var (samples, _) = await Measure.RepeatAsync(context, name, metric, 0, runs, ct => SqliteAsync(batch, duration, ct), cancellationToken);
            results.Add(Row(context, name, metric, samples,
                $"no Akka: SQLite WAL synchronous=FULL, {batch:N0} journal + tag rows per transaction, one connection, prepared statements",
                "the SQLite writer's CPU per row (b-tree inserts of journal, its unique index and tags) plus one fsync per commit"));
        }

        if (context.Get(_skipPostgres)) return results;
        await using var postgres = await PostgresInstance.StartAsync(text => context.Info(Name, text), cancellationToken);
        await using var database = await BenchDatabase.CreateAsync(StoreKind.Postgres, postgres, cancellationToken);
        var connectionString = database.Store.ConnectionString!;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var schema = new NpgsqlCommand(PostgresSchema, connection);
            await schema.ExecuteNonQueryAsync(cancellationToken);
        }
        var insert = new Metric("events/s", Better.Higher);
        var (insertSamples, _) = await Measure.RepeatAsync(context, $"{Name}-pg-insert", insert, 0, runs,
            ct => PostgresInsertAsync(connectionString, duration, ct), cancellationToken);
        results.Add(Row(context, $"{Name}-pg-insert", insert, insertSamples,
            $"no Akka: PostgreSQL {postgres.Description}: INSERTs of 100 journal rows with their tag rows (one statement), 1,000 per transaction, one connection",
            "the server's CPU per row (parse, index and WAL work) and one WAL flush per commit"));
        var copy = new Metric("events/s", Better.Higher, 95e3, Notes);
        var (copySamples, _) = await Measure.RepeatAsync(context, $"{Name}-pg-copy", copy, 0, runs,
            ct => PostgresCopyAsync(connectionString, 1000, duration, ct), cancellationToken);
        results.Add(Row(context, $"{Name}-pg-copy", copy, copySamples,
            "no Akka: binary COPY of 1,000 journal rows and 1,000 tag rows per transaction, one connection",
            "the server's index and WAL work per row, one WAL flush per commit"));
        return results;
    }

    private static BenchmarkResult Row(BenchmarkContext context, string name, Metric metric, IReadOnlyList<double> samples, string note, string bottleneck)
    {
        var row = new BenchmarkResult(context.Suite, name, metric) { Bottleneck = bottleneck };
        row.With(Variant.Ours, samples);
        row.Notes.Add(note);
        return row;
    }

    // Akka.Persistence.Sql's default tables (tag-write-mode TagTable), as its auto-initialize creates them.
    private const string SqliteSchema = """
        CREATE TABLE journal (
            ordering INTEGER PRIMARY KEY AUTOINCREMENT, created INTEGER NOT NULL, deleted INTEGER NOT NULL,
            persistence_id TEXT(255) NOT NULL, sequence_number INTEGER NOT NULL, message BLOB NOT NULL,
            manifest TEXT(500) NULL, identifier INTEGER NULL, writer_uuid TEXT(128) NULL);
        CREATE UNIQUE INDEX journal_persistence_id_sequence_number_idx ON journal (persistence_id, sequence_number);
        CREATE INDEX journal_created_idx ON journal (created);
        CREATE TABLE tags (ordering_id INTEGER NOT NULL, tag TEXT(64) NOT NULL, sequence_nr INTEGER NOT NULL, persistence_id TEXT(255) NOT NULL,
            PRIMARY KEY (ordering_id, tag, persistence_id));
        """;

    private const string PostgresSchema = """
        CREATE TABLE journal (
            ordering BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, created BIGINT NOT NULL, deleted BOOLEAN NOT NULL,
            persistence_id VARCHAR(255) NOT NULL, sequence_number BIGINT NOT NULL, message BYTEA NOT NULL,
            manifest VARCHAR(500) NULL, identifier INTEGER NULL, writer_uuid VARCHAR(128) NULL);
        CREATE UNIQUE INDEX journal_persistence_id_sequence_number_idx ON journal (persistence_id, sequence_number);
        CREATE INDEX journal_created_idx ON journal (created);
        CREATE TABLE tags (ordering_id BIGINT NOT NULL, tag VARCHAR(64) NOT NULL, sequence_nr BIGINT NOT NULL, persistence_id VARCHAR(255) NOT NULL,
            PRIMARY KEY (ordering_id, tag, persistence_id));
        """;

    private static async Task<double> SqliteAsync(int batch, TimeSpan duration, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"actors-bench-raw-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "raw.db")};Pooling=False");
            await connection.OpenAsync(cancellationToken);
            Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            Execute(connection, SqliteSchema);
            await using var begin = Command(connection, "BEGIN IMMEDIATE;");
            await using var commit = Command(connection, "COMMIT;");
            await using var insert = Command(connection,
                $"INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) VALUES ($1, 0, $2, $3, $4, '{Manifest}', {SerializerId}, 'w') RETURNING ordering;",
                "$1", "$2", "$3", "$4");
            await using var tag = Command(connection,
                "INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id) VALUES ($1, 'account', $2, $3);", "$1", "$2", "$3");
            insert.Prepare();
            tag.Prepare();

            long events = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                cancellationToken.ThrowIfCancellationRequested();
                begin.ExecuteNonQuery();
                for (var i = 0; i < batch; i++, events++)
                {
                    var id = AccountData.Id((int)(events % 1000));
                    var seq = events / 1000 + 1;
                    insert.Parameters[0].Value = DateTime.UtcNow.Ticks;
                    insert.Parameters[1].Value = id;
                    insert.Parameters[2].Value = seq;
                    insert.Parameters[3].Value = Payload;
                    var ordering = (long)insert.ExecuteScalar()!;
                    tag.Parameters[0].Value = ordering;
                    tag.Parameters[1].Value = seq;
                    tag.Parameters[2].Value = id;
                    tag.ExecuteNonQuery();
                }
                commit.ExecuteNonQuery();
            }
            return events / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            BenchDatabase.TryDelete(directory);
        }
    }

    private static async Task<double> PostgresInsertAsync(string connectionString, TimeSpan duration, CancellationToken cancellationToken)
    {
        const int rows = 100;
        const int perTransaction = 1000;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var sql = new StringBuilder("WITH j AS (INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) VALUES ");
        for (var i = 0; i < rows; i++)
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(${4 * i + 1}, false, ${4 * i + 2}, ${4 * i + 3}, ${4 * i + 4}, '{Manifest}', {SerializerId}, 'w')");
        sql.Append(" RETURNING ordering, persistence_id, sequence_number) INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id) SELECT ordering, 'account', sequence_number, persistence_id FROM j");
        var text = sql.ToString();
        var offset = Random.Shared.NextInt64(1, 1L << 40);
        long events = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            for (var statement = 0; statement < perTransaction / rows; statement++)
            {
                await using var command = new NpgsqlCommand(text, connection, transaction);
                for (var i = 0; i < rows; i++, events++)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = DateTime.UtcNow.Ticks });
                    command.Parameters.Add(new NpgsqlParameter { Value = AccountData.Id((int)(events % 1000)) });
                    command.Parameters.Add(new NpgsqlParameter { Value = offset + events });
                    command.Parameters.Add(new NpgsqlParameter { Value = Payload });
                }
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return events / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> PostgresCopyAsync(string connectionString, int batch, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var offset = Random.Shared.NextInt64(1L << 41, 1L << 42);
        var orderings = new long[batch];
        long events = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // The orderings first (as a journal that writes tag rows by COPY too must), then both tables by COPY.
            await using (var next = new NpgsqlCommand("SELECT nextval(pg_get_serial_sequence('journal', 'ordering')) FROM generate_series(1, $1)", connection, transaction))
            {
                next.Parameters.Add(new NpgsqlParameter { Value = batch });
                await using var reader = await next.ExecuteReaderAsync(cancellationToken);
                for (var i = 0; await reader.ReadAsync(cancellationToken); i++) orderings[i] = reader.GetInt64(0);
            }
            var first = events;
            await using (var writer = await connection.BeginBinaryImportAsync(
                             "COPY journal (ordering, created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                for (var i = 0; i < batch; i++, events++)
                {
                    await writer.StartRowAsync(cancellationToken);
                    await writer.WriteAsync(orderings[i], NpgsqlDbType.Bigint, cancellationToken);
                    await writer.WriteAsync(DateTime.UtcNow.Ticks, NpgsqlDbType.Bigint, cancellationToken);
                    await writer.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
                    await writer.WriteAsync(AccountData.Id((int)(events % 1000)), NpgsqlDbType.Varchar, cancellationToken);
                    await writer.WriteAsync(offset + events, NpgsqlDbType.Bigint, cancellationToken);
                    await writer.WriteAsync(Payload, NpgsqlDbType.Bytea, cancellationToken);
                    await writer.WriteAsync(Manifest, NpgsqlDbType.Varchar, cancellationToken);
                    await writer.WriteAsync(SerializerId, NpgsqlDbType.Integer, cancellationToken);
                    await writer.WriteAsync("w", NpgsqlDbType.Varchar, cancellationToken);
                }
                await writer.CompleteAsync(cancellationToken);
            }
            await using (var writer = await connection.BeginBinaryImportAsync(
                             "COPY tags (ordering_id, tag, sequence_nr, persistence_id) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                for (var i = 0; i < batch; i++)
                {
                    var e = first + i;
                    await writer.StartRowAsync(cancellationToken);
                    await writer.WriteAsync(orderings[i], NpgsqlDbType.Bigint, cancellationToken);
                    await writer.WriteAsync("account", NpgsqlDbType.Varchar, cancellationToken);
                    await writer.WriteAsync(offset + e, NpgsqlDbType.Bigint, cancellationToken);
                    await writer.WriteAsync(AccountData.Id((int)(e % 1000)), NpgsqlDbType.Varchar, cancellationToken);
                }
                await writer.CompleteAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return events / clock.Elapsed.TotalSeconds;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        return command;
    }
}
