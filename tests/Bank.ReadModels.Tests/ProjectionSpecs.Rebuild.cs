using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>Rebuilds from offset 0 while running: the same read model, with progress in the status and the log.</summary>
public abstract partial class ProjectionSpecs
{
    [Fact]
    public async Task A_rebuild_from_zero_gives_the_same_read_model_and_reports_its_progress()
    {
        var (last, events) = await WriteSomeAsync(accounts: 5, depositsEach: 6);
        var log = new RecordingLog();
        await using var projection = Side.NewProjection(ReadSideOptions.FastSettings with { MaxBatchSize = 7 }, log);
        await projection.StartAsync();
        await ReadSide.CaughtUpToAsync(projection, last);
        var before = await ReadModelTables.DumpAsync(Side.Database);

        var progress = await projection.RebuildAsync();
        Assert.Equal((last, false), (progress.TargetOffset, progress.Completed));
        await Eventually.TrueAsync(() => projection.Status.Rebuild is { Completed: true }, TimeSpan.FromSeconds(15), () => projection.Status.ToString());

        var rebuild = projection.Status.Rebuild!;
        Assert.Equal((events, last, 100d), (rebuild.EventsDone, rebuild.Offset, rebuild.PercentDone));
        Assert.Equal(ProjectionState.Running, projection.State);
        Assert.Equal(before, await ReadModelTables.DumpAsync(Side.Database));
        Assert.Contains(log.Infos, l => l.StartsWith("Rebuilding from offset 0 up to offset", StringComparison.Ordinal));
        Assert.Contains(log.Infos, l => l.StartsWith("Rebuilding: ", StringComparison.Ordinal)); // progress lines (interval 0 here)
        Assert.Contains(log.Infos, l => l.StartsWith($"Rebuild completed: {events} events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rebuild_completes_when_the_journal_ends_with_events_of_other_writers()
    {
        var (last, _) = await WriteSomeAsync(accounts: 2, depositsEach: 1);
        var foreign = await Writer.WriteRawAsync("other-writer", ["not an account event", "nor this"], tagged: false);
        await Side.Projection.StartAsync();
        await Side.CaughtUpToAsync(last);

        var progress = await Side.Projection.RebuildAsync();
        // The target is the last event of the projection's tag, not the other writer's rows after it.
        Assert.Equal(last, progress.TargetOffset);
        Assert.True(foreign > last);
        await Eventually.TrueAsync(() => Side.Projection.Status.Rebuild is { Completed: true }, TimeSpan.FromSeconds(15),
            () => Side.Projection.Status.ToString());
        Assert.Equal(last, Side.Projection.Offset);
        Assert.Equal(ProjectionState.Running, Side.Projection.State);
    }
}
