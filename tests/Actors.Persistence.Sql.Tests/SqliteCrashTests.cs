using System.Diagnostics;
using Actors.Persistence.Journal;

namespace Actors.Persistence.Sql.Tests;

/// <summary>The writer process is killed with SIGKILL in the middle of its writes; the file must stay whole.</summary>
public sealed class SqliteCrashTests : IDisposable
{
    private readonly TempSqliteDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Killing_the_writer_mid_write_leaves_no_half_written_atomic_write()
    {
        Directory.CreateDirectory(_db.Directory);
        using var process = StartCrashWriter(_db.FilePath);
        try
        {
            var started = await ReadLineAsync(process, TimeSpan.FromSeconds(30));
            if (started != "started")
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"The crash writer did not start: '{started}' {await process.StandardError.ReadToEndAsync()}");
            }
            // Let it write for a while, then pull the plug.
            var deadline = Stopwatch.StartNew();
            while (_db.Scalar("SELECT count(*) FROM journal") < 300 && deadline.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.Equal("ok", _db.Text("PRAGMA integrity_check;"));
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT persistence_id, count(*), min(sequence_nr), max(sequence_nr),
                   (SELECT count(*) FROM event_tag t WHERE t.persistence_id = j.persistence_id)
            FROM journal j GROUP BY persistence_id
            """;
        var ids = 0;
        var events = 0L;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                ids++;
                var (pid, count, min, max, tags) = (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
                events += count;
                Assert.True(count % 3 == 0, $"{pid} has {count} events: a half-written atomic write");
                Assert.Equal(1, min);
                Assert.Equal(count, max); // no gaps
                Assert.Equal(2 * count, tags); // every event's two tags, nothing more, nothing less
            }
        }
        Assert.True(ids > 0 && events >= 3, "the crash writer stored nothing before it was killed");

        // The file is usable again: a new journal recovers and continues every stream.
        await using var journal = _db.Journal();
        var next = await journal.ReadHighestSequenceNrAsync("crash-0") + 1;
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(TestEvents.Write("crash-0", next)));
    }

    private static Process StartCrashWriter(string databasePath)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Actors.Persistence.Sql.CrashWriter.dll");
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
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add(databasePath);
        info.ArgumentList.Add("60"); // it gives up by itself after a minute
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the crash writer.");
    }

    private static async Task<string?> ReadLineAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await process.StandardOutput.ReadLineAsync(cts.Token);
    }
}
