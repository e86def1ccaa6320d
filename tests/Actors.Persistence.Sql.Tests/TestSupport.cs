using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql.Sqlite;
using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Sql.Tests;

public sealed record Deposited(decimal Amount);

public sealed record Noted(string Text);

/// <summary>Cannot be serialized: System.Text.Json refuses delegate-typed properties.</summary>
public sealed class Unserializable
{
    public Action Callback { get; init; } = static () => { };
}

internal static class TestEvents
{
    public static IEventSerializer Serializer() =>
        new JsonEventSerializer(new EventTypeRegistry().Map<Deposited>("test.deposited").Map<Noted>("test.noted"));

    public static PersistentRepr Event(string persistenceId, long sequenceNr, object? payload = null, params string[] tags) =>
        new(persistenceId, sequenceNr, payload ?? new Noted($"{persistenceId}-{sequenceNr}"), "test-writer",
            DateTimeOffset.UtcNow, tags.Length == 0 ? PersistentRepr.NoTags : tags);

    /// <summary>One atomic write of <paramref name="count"/> events from <paramref name="fromSequenceNr"/> on.</summary>
    public static AtomicWrite Write(string persistenceId, long fromSequenceNr, int count = 1, params string[] tags) =>
        new([.. Enumerable.Range(0, count).Select(i => Event(persistenceId, fromSequenceNr + i, null, tags))]);

    public static async Task<WriteResult> WriteOneAsync(this IJournal journal, AtomicWrite write) =>
        (await journal.WriteAsync([write]))[0];

    public static async Task<List<PersistentRepr>> ReplayAllAsync(this IJournal journal, string persistenceId,
        long from = 1, long to = long.MaxValue, long max = long.MaxValue)
    {
        var events = new List<PersistentRepr>();
        await foreach (var e in journal.ReplayAsync(persistenceId, from, to, max)) events.Add(e);
        // Recovery replays by callback (on SQLite through its own native reader): it must deliver the same events.
        var delivered = new List<PersistentRepr>();
        await journal.ReplayMessagesAsync(persistenceId, from, to, max, delivered.Add);
        Actors.Persistence.Tck.JournalSpec.AssertSameReplay(events, delivered);
        return events;
    }
}

/// <summary>A temporary SQLite database file in its own directory, removed after the test.</summary>
public sealed class TempSqliteDatabase : IDisposable
{
    public TempSqliteDatabase()
    {
        Directory = Path.Combine(Path.GetTempPath(), "actors-sql-tests", Guid.NewGuid().ToString("N"));
        FilePath = Path.Combine(Directory, "journal.db");
    }

    public string Directory { get; }

    public string FilePath { get; }

    public string ConnectionString => $"Data Source={FilePath}";

    public SqliteJournalOptions Options() => new(ConnectionString);

    public SqliteJournal Journal(SqliteJournalOptions? options = null) => new(options ?? Options(), TestEvents.Serializer());

    /// <summary>A plain connection that creates the file (and its directory) if missing, for setting up a file by hand.</summary>
    public SqliteConnection OpenCreating()
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Open();
    }

    /// <summary>A plain connection to the file, for looking at what was stored.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public long Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public string Text(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory must not fail the test.
        }
    }
}
