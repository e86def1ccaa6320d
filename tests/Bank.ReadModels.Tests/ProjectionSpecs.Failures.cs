using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>A failing handler: the batch rolls back, the stream restarts from the stored offset after a growing backoff.</summary>
public abstract partial class ProjectionSpecs
{
    private static readonly ProjectionSettings SlowBackoff = ReadSideOptions.FastSettings with
    {
        MinBackoff = TimeSpan.FromMilliseconds(300),
        MaxBackoff = TimeSpan.FromSeconds(2),
        BackoffRandomFactor = 0,
    };

    [Fact]
    public async Task A_failing_handler_restarts_with_backoff_and_the_status_shows_the_error_and_the_restarts()
    {
        var log = new RecordingLog();
        FlakyHandler? flaky = null;
        await using var projection = BankProjectionWith(h => flaky = new FlakyHandler(h, failures: 2), SlowBackoff, log);
        await projection.StartAsync();

        var last = await Writer.OpenAsync("f-1", initialDeposit: 7m);
        await Eventually.TrueAsync(() => projection.Status is { State: ProjectionState.Failed, LastError: not null }, TimeSpan.FromSeconds(10),
            () => projection.Status.ToString());
        Assert.Contains("Injected failure", projection.Status.LastError);
        await ReadSide.CaughtUpToAsync(projection, last);

        var status = projection.Status;
        Assert.Equal((ProjectionState.Running, 2), (status.State, status.Restarts));
        Assert.Contains("Injected failure 2", status.LastError);
        Assert.NotNull(status.LastErrorAt);
        Assert.Equal(2, status.EventsHandled); // applied once, after two rolled-back attempts
        // Two failed attempts, then the batch (the open and the deposit may come as one batch or two).
        var calls = flaky!.Calls.ToArray();
        Assert.InRange(calls.Length, 3, 4);
        Assert.True(calls[1] - calls[0] >= TimeSpan.FromMilliseconds(250), $"first backoff {(calls[1] - calls[0]).TotalMilliseconds:0} ms");
        Assert.True(calls[2] - calls[1] >= TimeSpan.FromMilliseconds(250), $"second backoff {(calls[2] - calls[1]).TotalMilliseconds:0} ms");
        Assert.Equal(7m, (await Side.Queries.GetAccountAsync("f-1"))!.Balance);
        Assert.Equal(2, log.Warnings.Count(w => w.Contains("Restarting from the stored offset", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Stop_ends_the_projection_promptly_while_it_backs_off()
    {
        await using var projection = BankProjectionWith(h => new FlakyHandler(h, failures: int.MaxValue),
            SlowBackoff with { MinBackoff = TimeSpan.FromSeconds(20), MaxBackoff = TimeSpan.FromSeconds(20) });
        await projection.StartAsync();
        await Writer.OpenAsync("s-1");
        await Eventually.TrueAsync(() => projection.State == ProjectionState.Failed, TimeSpan.FromSeconds(10), () => projection.Status.ToString());

        var stopping = projection.StopAsync();
        Assert.True(await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(5))) == stopping, "StopAsync did not return while backing off");
        await stopping;
        Assert.Equal((ProjectionState.Stopped, 0L), (projection.State, projection.Offset));
    }
}
