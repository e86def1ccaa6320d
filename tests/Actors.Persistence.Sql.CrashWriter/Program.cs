// Writes atomic writes of 3 tagged events in a loop, from several concurrent "actors", to the SQLite file given as
// the first argument, until it is killed. Prints "started" once the first write is stored.
// It never outlives its test: it exits when its standard input closes (the test process is gone) and after
// a time limit (second argument, seconds, default 60).
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql.Sqlite;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Actors.Persistence.Sql.CrashWriter <database file> [max seconds] [writers]");
    return 2;
}

var maxSeconds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60;
var writers = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 8;

_ = Task.Run(async () =>
{
    // EOF on standard input: the parent closed it or died.
    while (await Console.In.ReadLineAsync() is not null) { }
    Environment.Exit(3);
});
_ = Task.Run(async () =>
{
    await Task.Delay(TimeSpan.FromSeconds(maxSeconds));
    Environment.Exit(4);
});

var serializer = new JsonEventSerializer(new EventTypeRegistry().Map<CrashEvent>("crash.event"));
await using var journal = new SqliteJournal(new SqliteJournalOptions($"Data Source={args[0]}"), serializer);
await journal.InitializeAsync();

var started = 0;
var padding = new string('x', 500); // bigger pages: more for the kill to interrupt
var loops = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
{
    var persistenceId = $"crash-{writer}";
    for (long seq = 1; ; seq += 3)
    {
        var events = Enumerable.Range(0, 3)
            .Select(i => new PersistentRepr(persistenceId, seq + i, new CrashEvent(seq + i, 0.1m, padding), "crash-writer",
                DateTimeOffset.UtcNow, ["crash", $"crash-{seq + i}"]))
            .ToList();
        var result = (await journal.WriteAsync([new AtomicWrite(events)]))[0];
        if (result is not WriteResult.Stored)
        {
            Console.Error.WriteLine($"{persistenceId} {seq}: {result}");
            Environment.Exit(1);
        }
        if (Interlocked.Exchange(ref started, 1) == 0)
        {
            Console.WriteLine("started");
            Console.Out.Flush();
        }
    }
})).ToArray();

await Task.WhenAll(loops);
return 0;

internal sealed record CrashEvent(long Number, decimal Amount, string Padding);
