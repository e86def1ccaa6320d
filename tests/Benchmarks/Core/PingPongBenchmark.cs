using System.CommandLine;
using System.Diagnostics;
using Actors.Benchmarks.Shared;
using Actors.Core;

namespace Actors.Benchmarks.Core;

/// <summary>
/// Two actors bounce one message: only one message is ever in flight, so each hop wakes an idle actor and the
/// figure is dominated by the cost of scheduling it (latency), not by mailbox throughput.
/// </summary>
public sealed class PingPongBenchmark : Benchmark
{
    private readonly BenchOption<int> _roundTrips = new("--round-trips", 2_000_000, "Round trips per run.");

    public override string Name => "pingpong";
    public override string Description => "2 actors bounce 1 message; round trips/s.";
    public override IEnumerable<Option> Options => [_roundTrips];

    private static readonly Metric Metric = new("round trips/s", Better.Higher, Reference: 1.6e6, CoreSuite.Akka, Target: 2e6);

    public override BenchmarkResult Run(BenchmarkContext context)
    {
        var roundTrips = context.Get(_roundTrips);
        var samples = Measure.Repeat(context, Name, Metric, () => RunOnce(roundTrips));
        return new BenchmarkResult(context.Suite, Name, Metric, samples, $"{roundTrips:N0} round trips, 1 message in flight");
    }

    private static double RunOnce(int roundTrips)
    {
        var system = ActorSystem.Create("pingpong");
        try
        {
            using var done = new CountdownEvent(1);
            var ponger = system.ActorOf(Props.Create(() => new Ponger()), "ponger");
            var pinger = system.ActorOf(Props.Create(() => new Pinger(roundTrips, done)), "pinger");
            // Both are started (and their Create handled) before the clock starts.
            pinger.Ask<Ready>(Ready.Instance, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            ponger.Ask<Ready>(Ready.Instance, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();

            var clock = Stopwatch.StartNew();
            pinger.Tell(new Start(ponger), null);
            CoreSuite.Await(done, TimeSpan.FromSeconds(120), "bouncing the ball");
            clock.Stop();
            return roundTrips / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            CoreSuite.Shutdown(system);
        }
    }

    private sealed class Ready
    {
        public static readonly Ready Instance = new();
    }

    private sealed record Start(IActorRef Ponger);

    private sealed class Ball
    {
        public static readonly Ball Instance = new();
    }

    private sealed class Pinger(int roundTrips, CountdownEvent done) : UntypedActor
    {
        private int _remaining = roundTrips;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case Ball:
                    if (--_remaining == 0) done.Signal();
                    else Sender.Tell(Ball.Instance, Self);
                    break;
                case Start start:
                    start.Ponger.Tell(Ball.Instance, Self);
                    break;
                case Ready:
                    Sender.Tell(Ready.Instance, Self);
                    break;
            }
        }
    }

    private sealed class Ponger : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(message, Self);
    }
}
