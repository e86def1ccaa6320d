using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Actors.Benchmarks.Shared;
using Actors.Persistence.Sql;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Benchmarks.Persistence;

/// <summary>
/// What the storage allows without any of our code: one connection inserting pre-serialized events into the
/// journal's own schema (event row + tag row), committing every B events and waiting for each commit to be durable,
/// as fast as it can for a fixed time. SQLite: WAL, synchronous=FULL, prepared statements. PostgreSQL (fsync on):
/// one multi-row INSERT per transaction, and binary COPY. The journal cannot beat these at the same batch size;
/// comparing them with the throughput benchmarks shows whether the disk or the code is the limit.
/// </summary>
public sealed class DiskLimitsBenchmark : AsyncBenchmark
{
    private readonly BenchOption<double> _seconds = new("--seconds", 2.0, "Length of each run.");
    private readonly BenchOption<bool> _skipPostgres = new("--skip-postgres", false, "Measure SQLite only.");

    private const string Reference = "brief, same kind of machine";

    public override string Name => "disk-limits";
    public override string Description => "Raw storage limits: SQLite (WAL, FULL) and PostgreSQL (fsync on) inserting pre-serialized events; events/s.";
    public override IEnumerable<Option> Options => [_seconds, _skipPostgres];

    // A MoneyDeposited as the serializer writes it.
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes(
        "{\"AccountId\":\"acc-000123\",\"Amount\":1,\"BalanceAfter\":57,\"CommandId\":\"6f1c1b0e-59a4-4f8e-9d43-0f6f2b5b0a11\",\"At\":\"2026-11-23T00:00:00.000+00:00\"}");

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(Math.Clamp(context.Get(_seconds), 0.2, 60));
        var results = new List<BenchmarkResult>();
        foreach (var batch in new[] { 100, 1000 })
        {
            var metric = new Metric("events/s", Better.Higher, batch == 100 ? 60e3 : null, batch == 100 ? Reference : "-", null);
            var name = $"{Name} sqlite x{batch}";
            var samples = await Measure.RepeatAsync(context, name, metric, ct => SqliteAsync(batch, duration, ct), cancellationToken);
            results.Add(new BenchmarkResult(context.Suite, name, metric, samples, $"SQLite WAL synchronous=FULL, {batch} events (+ tag rows) per transaction, one connection"));
        }

        if (context.Get(_skipPostgres)) return results;
        await using var postgres = await PostgresInstance.StartAsync(text => context.Progress.Info($"{context.Suite} {Name}", text), cancellationToken);
        var (connectionString, drop) = await postgres.CreateDatabaseAsync(cancellationToken);
        try
        {
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync(cancellationToken);
                await using var schema = new NpgsqlCommand(SqlScripts.Postgres, connection);
                await schema.ExecuteNonQueryAsync(cancellationToken);
            }
            var insert = new Metric("events/s", Better.Higher, 24e3, Reference, null);
            var insertSamples = await Measure.RepeatAsync(context, $"{Name} pg insert x100", insert,
                ct => PostgresInsertAsync(connectionString, 100, duration, ct), cancellationToken);
            results.Add(new BenchmarkResult(context.Suite, $"{Name} pg insert x100", insert, insertSamples,
                $"PostgreSQL {postgres.Description}: one 100-row INSERT (event rows) per transaction, one connection"));
            var copy = new Metric("events/s", Better.Higher, 50e3, Reference, null);
            var copySamples = await Measure.RepeatAsync(context, $"{Name} pg copy x1000", copy,
                ct => PostgresCopyAsync(connectionString, 1000, duration, ct), cancellationToken);
            results.Add(new BenchmarkResult(context.Suite, $"{Name} pg copy x1000", copy, copySamples,
                "binary COPY of 1,000 event rows per transaction, one connection"));
        }
        finally
        {
            await drop();
        }
        return results;
    }

    private static async Task<double> SqliteAsync(int batch, TimeSpan duration, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"actors-bench-raw-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "raw.db")};Pooling=False");
            await connection.OpenAsync(cancellationToken);
            Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            Execute(connection, SqlScripts.Sqlite);
            await using var begin = Command(connection, "BEGIN IMMEDIATE;");
            await using var commit = Command(connection, "COMMIT;");
            await using var insert = Command(connection,
                "INSERT INTO journal (persistence_id, sequence_nr, writer_id, manifest, payload, timestamp, tags) VALUES ($1, $2, 'w', 'bank.money-deposited.v1', $3, $4, '[\"account\"]') RETURNING ordering;",
                "$1", "$2", "$3", "$4");
            await using var tag = Command(connection,
                "INSERT INTO event_tag (tag, ordering, persistence_id, sequence_nr) VALUES ('account', $1, $2, $3);", "$1", "$2", "$3");
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
                    var id = "acc-" + (events % 1000);
                    var seq = events / 1000 + 1;
                    insert.Parameters[0].Value = id;
                    insert.Parameters[1].Value = seq;
                    insert.Parameters[2].Value = Payload;
                    insert.Parameters[3].Value = events;
                    var ordering = (long)insert.ExecuteScalar()!;
                    tag.Parameters[0].Value = ordering;
                    tag.Parameters[1].Value = id;
                    tag.Parameters[2].Value = seq;
                    tag.ExecuteNonQuery();
                }
                commit.ExecuteNonQuery();
            }
            return events / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            BenchStores.TryDelete(directory);
        }
    }

    private static async Task<double> PostgresInsertAsync(string connectionString, int batch, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var sql = new StringBuilder("INSERT INTO journal (tx_id, persistence_id, sequence_nr, writer_id, manifest, payload, timestamp, tags) VALUES ");
        for (var i = 0; i < batch; i++)
            sql.Append(i == 0 ? "" : ", ").Append($"(pg_current_xact_id(), ${3 * i + 1}, ${3 * i + 2}, 'w', 'bank.money-deposited.v1', ${3 * i + 3}, 0, '[\"account\"]')");
        var text = sql.ToString();
        var offset = Random.Shared.NextInt64(1, 1L << 40);
        long events = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(text, connection, transaction);
            for (var i = 0; i < batch; i++, events++)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = "acc-" + (events % 1000) });
                command.Parameters.Add(new NpgsqlParameter { Value = offset + events });
                command.Parameters.Add(new NpgsqlParameter { Value = Payload });
            }
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        return events / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> PostgresCopyAsync(string connectionString, int batch, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var offset = Random.Shared.NextInt64(1L << 41, 1L << 42);
        long events = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var xid = new NpgsqlCommand("SELECT pg_current_xact_id()::text", connection, transaction))
                await xid.ExecuteScalarAsync(cancellationToken);
            await using (var writer = await connection.BeginBinaryImportAsync(
                             "COPY journal (tx_id, persistence_id, sequence_nr, writer_id, manifest, payload, timestamp, tags) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                // tx_id is XID8; COPY cannot call pg_current_xact_id(), so a constant stands in (the figure is about the disk).
                for (var i = 0; i < batch; i++, events++)
                {
                    await writer.StartRowAsync(cancellationToken);
                    await writer.WriteAsync(1UL, NpgsqlDbType.Xid8, cancellationToken);
                    await writer.WriteAsync("acc-" + (events % 1000), NpgsqlDbType.Text, cancellationToken);
                    await writer.WriteAsync(offset + events, NpgsqlDbType.Bigint, cancellationToken);
                    await writer.WriteAsync("w", NpgsqlDbType.Text, cancellationToken);
                    await writer.WriteAsync("bank.money-deposited.v1", NpgsqlDbType.Text, cancellationToken);
                    await writer.WriteAsync(Payload, NpgsqlDbType.Bytea, cancellationToken);
                    await writer.WriteAsync(0L, NpgsqlDbType.Bigint, cancellationToken);
                    await writer.WriteAsync("[\"account\"]", NpgsqlDbType.Text, cancellationToken);
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
