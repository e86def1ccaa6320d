// The crash test's child process: persistent actors write AtomicWrites of 3 tagged events (PersistAll) in a loop through
// GroupCommitJournal (or Akka.Persistence.Sql's writer), until the process is killed. Prints "progress" after every 100
// AtomicWrites stored.
// Usage: Actors.Journal.CrashWriter <sqlite|postgres> <connection string> [max seconds] [actors] [group-commit|akka-sql]
// It never outlives its test: it exits when its standard input closes (the test process is gone) and after the time limit.
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Actors.Journal;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Actors.Journal.CrashWriter <sqlite|postgres> <connection string> [max seconds] [actors] [group-commit|akka-sql]");
    return 2;
}

var maxSeconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60;
var actors = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 16;
var stock = args.Length > 4 && args[4] == "akka-sql";

_ = Task.Run(async () =>
{
    while (await Console.In.ReadLineAsync() is not null) { }
    Environment.Exit(3);
});
_ = Task.Run(async () =>
{
    await Task.Delay(TimeSpan.FromSeconds(maxSeconds));
    Environment.Exit(4);
});

var connectionString = args[1].Replace("\"", "\\\"", StringComparison.Ordinal);
var config = ConfigurationFactory.ParseString($$"""
    akka.loglevel = WARNING
    akka.persistence.journal.plugin = "akka.persistence.journal.{{(stock ? "sql" : "group-commit")}}"
    akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
    akka.persistence.journal.group-commit {
      provider = {{args[0]}}
      connection-string = "{{connectionString}}"
      max-batch-size = 64
    }
    akka.persistence.journal.sql {
      provider-name = "{{(args[0] == "postgres" ? "PostgreSQL.15" : "SQLite.MS")}}"
      connection-string = "{{connectionString}}"
      auto-initialize = on
      batch-size = 64
    }
    """).WithFallback(GroupCommitJournal.DefaultConfiguration).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);

using var system = ActorSystem.Create("crash-writer", config);
for (var i = 0; i < actors; i++)
{
    var persistenceId = $"crash-{i}";
    system.ActorOf(Props.Create(() => new LoopWriter(persistenceId)));
}
await Task.Delay(Timeout.Infinite);
return 0;

internal sealed record CrashEvent(long Number, string Padding);

/// <summary>Persists 3 tagged events at once (one AtomicWrite), again and again.</summary>
internal sealed class LoopWriter : ReceivePersistentActor
{
    private static readonly string Padding = new('x', 500); // bigger pages: more for the kill to interrupt

    private static long _stored;

    public LoopWriter(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<CrashEvent>(_ => { });
        Command<string>(_ =>
        {
            var from = LastSequenceNr + 1;
            var events = Enumerable.Range(0, 3)
                .Select(i => new Tagged(new CrashEvent(from + i, Padding), ["crash", $"crash-{(from + i) % 7}"]))
                .ToArray();
            var left = 3;
            PersistAll(events, _ =>
            {
                if (--left > 0) return;
                // Every 100 AtomicWrites stored, a line for the test (which kills this process after a few).
                if (Interlocked.Increment(ref _stored) % 100 == 0) Console.WriteLine("progress");
                Self.Tell("next");
            });
        });
    }

    public override string PersistenceId { get; }

    protected override void PreStart()
    {
        base.PreStart();
        Self.Tell("next");
    }
}
