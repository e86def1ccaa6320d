namespace Actors.Journal.Tests;

public sealed class LastWritesSpecs
{
    [Fact]
    public void A_later_write_of_a_persistence_id_replaces_its_earlier_one_and_never_the_reverse()
    {
        var lastWrites = new LastWrites(capacity: 10);
        lastWrites.Record("a", sequenceNr: 3, ordering: 30);
        lastWrites.Record("a", sequenceNr: 5, ordering: 52);
        lastWrites.Record("a", sequenceNr: 4, ordering: 41);

        Assert.True(lastWrites.TryGetOrdering("a", 5, out var ordering));
        Assert.Equal(52, ordering);
        Assert.False(lastWrites.TryGetOrdering("a", 3, out _));
        Assert.False(lastWrites.TryGetOrdering("a", 4, out _));
    }

    [Fact]
    public void Past_its_capacity_it_forgets_and_keeps_remembering_new_writes()
    {
        var lastWrites = new LastWrites(capacity: 3);
        for (var i = 1; i <= 3; i++) lastWrites.Record($"p-{i}", 1, i);
        Assert.True(lastWrites.TryGetOrdering("p-3", 1, out _));

        lastWrites.Record("p-4", 1, 4);
        Assert.False(lastWrites.TryGetOrdering("p-1", 1, out _));

        lastWrites.Record("p-5", 1, 5);
        Assert.True(lastWrites.TryGetOrdering("p-5", 1, out var ordering));
        Assert.Equal(5, ordering);
    }
}
