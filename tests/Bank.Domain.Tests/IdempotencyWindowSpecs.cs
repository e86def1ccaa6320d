namespace Bank.Domain.Tests;

/// <summary>
/// The idempotency window on its own: FIFO semantics, and immutability although versions share one append-only log
/// (old states are kept by tests and time travel, and branched from).
/// </summary>
public sealed class IdempotencyWindowSpecs
{
    private static int _lastId;

    internal static Guid Id() => new(Interlocked.Increment(ref _lastId), 7, 7, new byte[8]);

    internal static ProcessedCommand Entry(Guid id, long version = 1) =>
        new(id, $"deposit:{version}", version, version, AccountStatus.Open);

    internal static ProcessedCommand[] Entries(int count) => Enumerable.Range(1, count).Select(i => Entry(Id(), i)).ToArray();

    internal static IdempotencyWindow Remembering(IdempotencyWindow window, IEnumerable<ProcessedCommand> entries) =>
        entries.Aggregate(window, (w, e) => w.Remember(e));

    [Theory]
    [InlineData(3)]
    [InlineData(1000)]   // large enough for the log's hash index
    public void Remembering_on_an_older_window_leaves_the_newer_one_unchanged(int capacity)
    {
        var entries = Entries(capacity + 5);
        var older = Remembering(IdempotencyWindow.Empty(capacity), entries[..^5]);
        var newer = Remembering(older, entries[^5..]);
        var newerEntries = newer.Entries;

        var branch = older.Remember(Entry(Id())).Remember(entries[^1]).Remember(entries[^5] with { Version = 99 });

        Assert.Equal(newerEntries, newer.Entries);
        Assert.Equal(entries[^capacity..], newer.Entries);
        Assert.True(newer.TryGet(entries[^1].CommandId, out var kept));
        Assert.Same(entries[^1], kept);
        Assert.Equal(capacity, branch.Count);
        Assert.Equal(entries[^5] with { Version = 99 }, branch.Entries[^1]);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1000)]
    public void Remembering_leaves_the_window_and_its_ancestors_unchanged(int capacity)
    {
        var entries = Entries(capacity);
        var ancestor = Remembering(IdempotencyWindow.Empty(capacity), entries[..^1]);
        var window = ancestor.Remember(entries[^1]);

        var descendant = window.Remember(entries[0] with { Version = 50 });   // moves the oldest to newest
        descendant = Remembering(descendant, Entries(capacity * 2));         // evicts everything, compacts the log

        Assert.Equal(entries[..^1], ancestor.Entries);
        Assert.Equal(entries, window.Entries);
        Assert.All(entries, e => Assert.True(window.TryGet(e.CommandId, out var found) && found == e));
        Assert.All(entries, e => Assert.False(descendant.Contains(e.CommandId)));
        Assert.False(ancestor.Contains(entries[^1].CommandId));
    }

    [Fact]
    public void Shrinking_a_window_evicts_the_oldest_and_leaves_the_original_and_its_descendants_unchanged()
    {
        var entries = Entries(40);
        var window = Remembering(IdempotencyWindow.Empty(40), entries[..30]);
        var descendant = Remembering(window, entries[30..]);

        var shrunk = window.WithCapacity(4);
        var shrunkDescendant = descendant.WithCapacity(2).Remember(entries[0]);
        var grown = shrunk.WithCapacity(100).Remember(entries[35]);

        Assert.Equal(entries[..30], window.Entries);
        Assert.Equal(entries, descendant.Entries);
        Assert.Equal(4, shrunk.Capacity);
        Assert.Equal(entries[26..30], shrunk.Entries);
        Assert.Equal([entries[39], entries[0]], shrunkDescendant.Entries);
        Assert.Equal([.. entries[26..30], entries[35]], grown.Entries);
        Assert.False(shrunk.Contains(entries[25].CommandId));
        Assert.Equal(window, window.WithCapacity(40));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(1000)]
    public void Branching_twice_from_the_same_window_gives_two_independent_windows(int capacity)
    {
        var entries = Entries(capacity);
        var trunk = Remembering(IdempotencyWindow.Empty(capacity), entries);
        var left = Entries(3);
        var right = Entries(3);

        var leftBranch = Remembering(trunk, left);
        var rightBranch = Remembering(trunk, right);

        Assert.Equal([.. entries[3..], .. left], leftBranch.Entries);
        Assert.Equal([.. entries[3..], .. right], rightBranch.Entries);
        Assert.All(right, e => Assert.False(leftBranch.Contains(e.CommandId)));
        Assert.All(left, e => Assert.False(rightBranch.Contains(e.CommandId)));
        Assert.Equal(entries, trunk.Entries);
        Assert.True(rightBranch.Contains(entries[3].CommandId));
        Assert.False(rightBranch.Contains(entries[2].CommandId));
    }

    [Fact]
    public void Eviction_order_holds_across_many_log_compactions()
    {
        var window = IdempotencyWindow.Empty(3);
        var expected = new List<ProcessedCommand>();
        var recent = new List<Guid>();
        var random = new Random(1234);

        for (var i = 0; i < 10_000; i++)
        {
            // Mostly new ids, sometimes one of the last few again (an update of the newest or a move to newest).
            var id = recent.Count > 0 && random.Next(4) == 0 ? recent[random.Next(recent.Count)] : Id();
            var entry = Entry(id, i);
            window = window.Remember(entry);

            expected.RemoveAll(e => e.CommandId == id);
            expected.Add(entry);
            if (expected.Count > 3) expected.RemoveAt(0);
            recent.Add(id);
            if (recent.Count > 5) recent.RemoveAt(0);

            Assert.Equal(expected, window.Entries);
            Assert.All(recent, r => Assert.Equal(expected.Exists(e => e.CommandId == r), window.Contains(r)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public void Remembering_the_newest_id_again_updates_its_entry_and_keeps_the_order(int capacity)
    {
        var older = Entries(Math.Min(capacity, 20) - 1);
        var opened = Entry(Id(), 1);
        var window = Remembering(IdempotencyWindow.Empty(capacity), older).Remember(opened);

        var deposited = window.Remember(opened with { Fingerprint = "open:Alice:EUR:5", Version = 2, Balance = 5m });

        Assert.Equal(window.Count, deposited.Count);
        Assert.Equal([.. older, opened with { Fingerprint = "open:Alice:EUR:5", Version = 2, Balance = 5m }], deposited.Entries);
        Assert.True(deposited.TryGet(opened.CommandId, out var updated));
        Assert.Equal(2, updated.Version);
        Assert.True(window.TryGet(opened.CommandId, out var original));
        Assert.Equal(1, original.Version);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(1000)]
    public void Remembering_an_older_id_again_moves_it_to_the_newest_position_without_evicting(int capacity)
    {
        var entries = Entries(capacity);
        var window = Remembering(IdempotencyWindow.Empty(capacity), entries);

        var movedOldest = window.Remember(entries[0] with { Version = 100 });
        var movedMiddle = movedOldest.Remember(entries[2] with { Version = 101 });

        Assert.Equal([.. entries[1..], entries[0] with { Version = 100 }], movedOldest.Entries);
        Assert.Equal([entries[1], .. entries[3..], entries[0] with { Version = 100 }, entries[2] with { Version = 101 }], movedMiddle.Entries);
        Assert.Equal(capacity, movedMiddle.Count);

        var next = movedMiddle.Remember(Entry(Id()));   // now entries[1] is the oldest and goes
        Assert.False(next.Contains(entries[1].CommandId));
        Assert.True(next.Contains(entries[0].CommandId));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1000)]
    public void Windows_with_the_same_entries_are_equal_and_hash_alike_however_they_were_built(int capacity)
    {
        var entries = Entries(capacity + 10);
        var byRemember = Remembering(IdempotencyWindow.Empty(capacity), entries);
        var restored = new IdempotencyWindow(capacity, byRemember.Entries);
        var byMoves = Remembering(IdempotencyWindow.Empty(capacity), entries.Reverse()).Pipe(w => Remembering(w, entries[^capacity..]));
        var byShrinking = Remembering(IdempotencyWindow.Empty(capacity * 2), entries).WithCapacity(capacity);
        var branchedTwice = Remembering(IdempotencyWindow.Empty(capacity), entries[..^1]).Pipe(w => { w.Remember(Entry(Id())); return w.Remember(entries[^1]); });

        foreach (var other in new[] { restored, byMoves, byShrinking, branchedTwice })
        {
            Assert.Equal(byRemember, other);
            Assert.Equal(byRemember.GetHashCode(), other.GetHashCode());
            Assert.True(byRemember.Equals((object)other));
        }
        Assert.Equal(IdempotencyWindow.Empty(capacity), new IdempotencyWindow(capacity, []));
        Assert.Equal(IdempotencyWindow.Empty(capacity).GetHashCode(), new IdempotencyWindow(capacity, []).GetHashCode());
    }

    [Fact]
    public void Windows_differing_in_capacity_order_or_an_entry_are_not_equal()
    {
        var entries = Entries(3);
        var window = new IdempotencyWindow(5, entries);

        Assert.NotEqual(window, new IdempotencyWindow(6, entries));
        Assert.NotEqual(window, new IdempotencyWindow(5, [entries[1], entries[0], entries[2]]));
        Assert.NotEqual(window, new IdempotencyWindow(5, [entries[0], entries[1], entries[2] with { Balance = 9m }]));
        Assert.NotEqual(window, new IdempotencyWindow(5, entries[..2]));
        Assert.NotEqual(window, window.Remember(entries[2] with { Status = AccountStatus.Closed }));
        Assert.False(window.Equals(null));
    }

    [Fact]
    public void A_restored_window_finds_its_entries_and_keeps_remembering()
    {
        var entries = Entries(1000);
        var restored = new IdempotencyWindow(1000, entries);

        var replayed = Remembering(restored, Entries(1000));

        Assert.All(entries, e => Assert.True(restored.TryGet(e.CommandId, out var found) && found == e));
        Assert.All(entries, e => Assert.False(replayed.Contains(e.CommandId)));
        Assert.Equal(1000, replayed.Count);
        Assert.Equal(entries, restored.Entries);
    }

    [Fact]
    public void Ids_whose_hash_codes_all_collide_are_still_told_apart()
    {
        // Guid.GetHashCode xors the four 32-bit parts of the id: these all hash to 0.
        static Guid Colliding(int i) => new(i, 0, 0, [0, 0, 0, 0, .. BitConverter.GetBytes(i)]);
        var entries = Enumerable.Range(1, 300).Select(i => Entry(Colliding(i), i)).ToArray();
        Assert.Single(entries.Select(e => e.CommandId.GetHashCode()).Distinct());

        var window = Remembering(IdempotencyWindow.Empty(100), entries);

        Assert.Equal(entries[200..], window.Entries);
        Assert.All(entries[200..], e => Assert.True(window.TryGet(e.CommandId, out var found) && found == e));
        Assert.All(entries[..200], e => Assert.False(window.Contains(e.CommandId)));
    }

    [Fact]
    public void An_empty_window_finds_nothing_and_shrinks_to_an_empty_window()
    {
        var empty = IdempotencyWindow.Empty(2);

        Assert.False(empty.Contains(Id()));
        Assert.False(empty.TryGet(Id(), out _));
        Assert.Empty(empty.WithCapacity(1).Entries);
        Assert.Equal(IdempotencyWindow.Empty(1), empty.WithCapacity(1));
    }
}

internal static class PipeExtensions
{
    public static TResult Pipe<T, TResult>(this T value, Func<T, TResult> f) => f(value);
}
