using System.Diagnostics;
using Bank.Testing;
using Xunit.Abstractions;

namespace Actors.Journal.Tests;

/// <summary>
/// A process writing through the journal is killed with SIGKILL in the middle of its batches: what is in the database
/// afterwards is whole AtomicWrites or none, and the journal goes on from there. For our writer and the stock one.
/// </summary>
public abstract class CrashSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    protected abstract Task<TestDatabase> CreateDatabaseAsync();
    protected abstract string Provider { get; }

    /// <summary>The writer the killed process writes with, and the one that goes on after it.</summary>
    protected virtual Writer Writer => Writer.GroupCommit;

    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await CreateDatabaseAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Killing_the_writer_process_mid_batch_leaves_whole_atomic_writes_or_none()
    {
        using (var process = StartCrashWriter())
        {
            try
            {
                // The writer reports every 100 stored AtomicWrites (of 3 events each); kill it in the middle of the stream.
                var progress = 0;
                while (progress < 3)
                {
                    var line = await ReadLineAsync(process, TimeSpan.FromSeconds(60));
                    if (line is null)
                        Assert.Fail($"The crash writer stopped: {await process.StandardError.ReadToEndAsync()}");
                    if (line.StartsWith("progress", StringComparison.Ordinal)) progress++;
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true); // SIGKILL
                await process.WaitForExitAsync();
            }
        }

        if (_db is SqliteTestDatabase) Assert.Equal("ok", (await _db.RowsAsync("PRAGMA integrity_check"))[0][0]);
        var rows = await _db.RowsAsync(
            """
            SELECT j.persistence_id, count(*), min(j.sequence_number), max(j.sequence_number),
                   (SELECT count(*) FROM tags t WHERE t.persistence_id = j.persistence_id)
            FROM journal j GROUP BY j.persistence_id
            """);
        long events = 0;
        foreach (var row in rows)
        {
            var (pid, count, min, max, tags) = ((string)row[0]!, Convert.ToInt64(row[1]), Convert.ToInt64(row[2]), Convert.ToInt64(row[3]), Convert.ToInt64(row[4]));
            events += count;
            Assert.True(count % 3 == 0, $"{pid} has {count} events: a half-written atomic write");
            Assert.Equal(1, min);
            Assert.Equal(count, max); // contiguous from 1
            Assert.Equal(2 * count, tags); // every event's two tag rows, nothing more, nothing less
        }
        output.WriteLine($"{rows.Count} persistence ids, {events} events survived the kill");
        Assert.True(events >= 900, $"only {events} events were stored before the kill");
        Assert.Equal(0, await _db.ScalarAsync(
            "SELECT count(*) FROM tags t WHERE NOT EXISTS (SELECT 1 FROM journal j WHERE j.ordering = t.ordering_id " +
            "AND j.persistence_id = t.persistence_id AND j.sequence_number = t.sequence_nr)"));

        // The journal goes on: every stream recovers and continues after its last whole write.
        using var journal = new JournalHarness(_db, Writer, output);
        var (_, highest) = await journal.ReplayAsync("crash-0");
        Assert.Equal(EventOutcome.Stored, (await journal.WriteAsync(Events.Write("crash-0", highest + 1, 3)))[0].Outcome);
    }

    private Process StartCrashWriter()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Actors.Journal.CrashWriter.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var info = new ProcessStartInfo
        {
            FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The writer exits when this pipe closes, so it cannot outlive a test process that died.
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var writer = Writer == Writer.GroupCommit ? "group-commit" : "akka-sql";
        foreach (var argument in new[] { "exec", dll, Provider, _db.ConnectionString, "60", "16", writer }) info.ArgumentList.Add(argument);
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the crash writer.");
    }

    private static async Task<string?> ReadLineAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await process.StandardOutput.ReadLineAsync(cts.Token);
    }
}

public sealed class SqliteCrashSpecs(ITestOutputHelper output) : CrashSpecs(output)
{
    protected override string Provider => "sqlite";
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult<TestDatabase>(new SqliteTestDatabase());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresCrashSpecs(PostgresServer server, ITestOutputHelper output) : CrashSpecs(output)
{
    protected override string Provider => "postgres";
    protected override async Task<TestDatabase> CreateDatabaseAsync() => await PostgresTestDatabase.CreateAsync(server);
}

public sealed class SqliteStockCrashSpecs(ITestOutputHelper output) : CrashSpecs(output)
{
    protected override string Provider => "sqlite";
    protected override Writer Writer => Writer.AkkaSql;
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult<TestDatabase>(new SqliteTestDatabase());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresStockCrashSpecs(PostgresServer server, ITestOutputHelper output) : CrashSpecs(output)
{
    protected override string Provider => "postgres";
    protected override Writer Writer => Writer.AkkaSql;
    protected override async Task<TestDatabase> CreateDatabaseAsync() => await PostgresTestDatabase.CreateAsync(server);
}
