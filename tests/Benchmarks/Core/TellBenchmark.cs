using System.CommandLine;
using System.Diagnostics;
using Actors.Benchmarks.Shared;
using Actors.Core;

namespace Actors.Benchmarks.Core;

/// <summary>
/// One sender (the main thread) Tells round-robin to many actors; each counts what it receives. Timed from the first
/// Tell until every actor has counted all its messages, so the figure includes draining the mailboxes.
/// </summary>
public sealed class TellBenchmark : Benchmark
{
    private readonly BenchOption<int> _actors = new("--actors", 1_000, "How many receiving actors.");
    private readonly BenchOption<int> _messages = new("--messages", 10_000, "Messages each actor receives.");

    public override string Name => "tell";
    public override string Description => "1 sender Tells round-robin to N actors; msg/s until all are counted.";
    public override IEnumerable<Option> Options => [_actors, _messages];

    private static readonly Metric Metric = new("msg/s", Better.Higher, Reference: 6.9e6, CoreSuite.Akka, Target: 10e6);

    public override BenchmarkResult Run(BenchmarkContext context)
    {
        var actors = context.Get(_actors);
        var messages = context.Get(_messages);
        var samples = Measure.Repeat(context, Name, Metric, () => RunOnce(actors, messages));
        return new BenchmarkResult(context.Suite, Name, Metric, samples, $"{actors:N0} actors x {messages:N0} messages, one sender");
    }

    private static double RunOnce(int actorCount, int messagesPerActor)
    {
        var system = ActorSystem.Create("tell");
        try
        {
            using var started = new CountdownEvent(actorCount);
            using var done = new CountdownEvent(actorCount);
            var actors = new IActorRef[actorCount];
            for (var i = 0; i < actorCount; i++)
                actors[i] = system.ActorOf(Props.Create(() => new CountingActor(messagesPerActor, started, done)));
            CoreSuite.Await(started, TimeSpan.FromSeconds(30), "starting the actors");

            var message = new Increment();
            var clock = Stopwatch.StartNew();
            for (var m = 0; m < messagesPerActor; m++)
            {
                foreach (var actor in actors) actor.Tell(message, null);
            }
            CoreSuite.Await(done, TimeSpan.FromSeconds(120), "counting the messages");
            clock.Stop();
            return (double)actorCount * messagesPerActor / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            CoreSuite.Shutdown(system);
        }
    }

    private sealed class Increment;

    private sealed class CountingActor(int expected, CountdownEvent started, CountdownEvent done) : UntypedActor
    {
        private int _count;

        protected override void PreStart() => started.Signal();

        protected override void OnReceive(object message)
        {
            if (message is not Increment) return;
            if (++_count == expected) done.Signal();
        }
    }
}
