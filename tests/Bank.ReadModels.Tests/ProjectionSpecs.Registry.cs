using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>The host's registry of projections by name.</summary>
public abstract partial class ProjectionSpecs
{
    [Fact]
    public async Task The_registry_starts_and_stops_every_projection_and_refuses_a_second_one_of_a_name()
    {
        var counter = new CountingHandler();
        await using var counting = new Projection("account-counter", Side.System, ProjectionSource.EventsByTag(Side.ReadJournal, BankReadModel.AccountTag),
            counter, Side.Database, ReadSideOptions.FastSettings);
        var registry = new ProjectionRegistry([Side.Projection, counting]);

        await registry.StartAsync();
        var last = await Writer.OpenAsync("g-1", initialDeposit: 2m);
        await Task.WhenAll(registry.Projections.Select(p => ReadSide.CaughtUpToAsync(p, last)));

        Assert.Equal([BankReadModel.ProjectionName, "account-counter"], registry.Names);
        Assert.True(registry.TryGet("account-counter", out var found) && ReferenceEquals(found, counting));
        Assert.False(registry.TryGet("nope", out _));
        Assert.Throws<KeyNotFoundException>(() => registry.Get("nope"));
        Assert.Throws<ArgumentException>(() => registry.Add(Side.NewProjection()));
        Assert.Equal(2, counter.Events);
        var statuses = await registry.GetStatusesAsync();
        Assert.All(statuses, s => Assert.Equal((ProjectionState.Running, last), (s.State, s.Offset)));

        await registry.StopAsync();
        Assert.All(registry.Projections, p => Assert.Equal(ProjectionState.Stopped, p.State));
    }
}
