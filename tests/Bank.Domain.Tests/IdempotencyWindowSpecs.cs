namespace Bank.Domain.Tests;

/// <summary>
/// The idempotency window on its own: a FIFO of the last accepted commands, by value, and immutable (old states are
/// kept by tests and time travel, and branched from).
/// </summary>
public sealed class IdempotencyWindowSpecs
{
    private static int _lastId;

    private static Guid Id() => new(Interlocked.Increment(ref _lastId), 7, 7, new byte[8]);

    private static ProcessedCommand Entry(Guid id, long version = 1) =>
        new(id, $"deposit:{version}", version, version, AccountStatus.Open);

    private static ProcessedCommand[] Entries(int count) => Enumerable.Range(1, count).Select(i => Entry(Id(), i)).ToArray();

    private static IdempotencyWindow Remembering(IdempotencyWindow window, IEnumerable<ProcessedCommand> entries) =>
        entries.Aggregate(window, (w, e) => w.Remember(e));

    [Fact]
    public void A_full_window_evicts_its_oldest_entry_for_each_new_one()
    {
        var entries = Entries(5);

        var window = Remembering(IdempotencyWindow.Empty(3), entries);

        Assert.Equal(entries[2..], window.Entries);
        Assert.Equal(3, window.Count);
        Assert.False(window.Contains(entries[0].CommandId));
        Assert.False(window.TryGet(entries[1].CommandId, out _));
        Assert.True(window.TryGet(entries[2].CommandId, out var oldest));
        Assert.Same(entries[2], oldest);
    }

    [Fact]
    public void A_window_of_capacity_one_keeps_only_the_newest_entry()
    {
        var entries = Entries(4);

        var window = Remembering(IdempotencyWindow.Empty(1), entries);

        Assert.Equal([entries[^1]], window.Entries);
        Assert.False(window.Contains(entries[0].CommandId));
        Assert.Equal(Remembering(IdempotencyWindow.Empty(3), entries).WithCapacity(1), window);
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
        var withInitialDeposit = opened with { Fingerprint = "open:EUR:5:Alice", Version = 2, Balance = 5m };

        var deposited = window.Remember(withInitialDeposit);

        Assert.Equal(window.Count, deposited.Count);
        Assert.Equal([.. older, withInitialDeposit], deposited.Entries);
        Assert.True(deposited.TryGet(opened.CommandId, out var updated));
        Assert.Equal(2, updated.Version);
        Assert.True(window.TryGet(opened.CommandId, out var original));
        Assert.Equal(1, original.Version);
    }

    [Fact]
    public void Remembering_an_older_id_again_moves_it_to_the_newest_position_without_evicting()
    {
        var entries = Entries(4);
        var window = Remembering(IdempotencyWindow.Empty(4), entries);

        var movedOldest = window.Remember(entries[0] with { Version = 100 });
        var movedMiddle = movedOldest.Remember(entries[2] with { Version = 101 });

        Assert.Equal([.. entries[1..], entries[0] with { Version = 100 }], movedOldest.Entries);
        Assert.Equal([entries[1], entries[3], entries[0] with { Version = 100 }, entries[2] with { Version = 101 }], movedMiddle.Entries);
        Assert.Equal(4, movedMiddle.Count);

        var next = movedMiddle.Remember(Entry(Id()));   // now entries[1] is the oldest and goes
        Assert.False(next.Contains(entries[1].CommandId));
        Assert.True(next.Contains(entries[0].CommandId));
    }

    [Fact]
    public void Remembering_leaves_the_window_and_its_ancestors_unchanged()
    {
        var entries = Entries(3);
        var ancestor = Remembering(IdempotencyWindow.Empty(3), entries[..^1]);
        var window = ancestor.Remember(entries[^1]);

        var descendant = window.Remember(entries[0] with { Version = 50 });   // moves the oldest to newest
        descendant = Remembering(descendant, Entries(6));                   // evicts everything

        Assert.Equal(entries[..^1], ancestor.Entries);
        Assert.Equal(entries, window.Entries);
        Assert.All(entries, e => Assert.True(window.TryGet(e.CommandId, out var found) && found == e));
        Assert.All(entries, e => Assert.False(descendant.Contains(e.CommandId)));
        Assert.False(ancestor.Contains(entries[^1].CommandId));
    }

    [Fact]
    public void Branching_twice_from_the_same_window_gives_two_independent_windows()
    {
        var entries = Entries(5);
        var trunk = Remembering(IdempotencyWindow.Empty(5), entries);
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

    [Fact]
    public void An_empty_window_finds_nothing_and_shrinks_to_an_empty_window()
    {
        var empty = IdempotencyWindow.Empty(2);

        Assert.False(empty.Contains(Id()));
        Assert.False(empty.TryGet(Id(), out _));
        Assert.Empty(empty.WithCapacity(1).Entries);
        Assert.Equal(IdempotencyWindow.Empty(1), empty.WithCapacity(1));
    }

    [Fact]
    public void A_restored_window_finds_its_entries_and_keeps_remembering_in_their_order()
    {
        var entries = Entries(5);
        var restored = new IdempotencyWindow(5, entries);

        var replayed = Remembering(restored, Entries(3));

        Assert.All(entries, e => Assert.True(restored.TryGet(e.CommandId, out var found) && found == e));
        Assert.Equal(entries, restored.Entries);
        Assert.Equal(entries[3..], replayed.Entries.Take(2));
        Assert.Equal(5, replayed.Count);
    }

    [Fact]
    public void Windows_with_the_same_entries_are_equal_and_hash_alike_however_they_were_built()
    {
        var entries = Entries(8);
        var byRemember = Remembering(IdempotencyWindow.Empty(3), entries);
        var restored = new IdempotencyWindow(3, byRemember.Entries);
        var byMoves = Remembering(Remembering(IdempotencyWindow.Empty(3), entries.Reverse()), entries[^3..]);
        var byShrinking = Remembering(IdempotencyWindow.Empty(6), entries).WithCapacity(3);

        foreach (var other in new[] { restored, byMoves, byShrinking })
        {
            Assert.Equal(byRemember, other);
            Assert.Equal(byRemember.GetHashCode(), other.GetHashCode());
            Assert.True(byRemember.Equals((object)other));
        }
        Assert.Equal(IdempotencyWindow.Empty(3), new IdempotencyWindow(3, []));
        Assert.Equal(IdempotencyWindow.Empty(3).GetHashCode(), new IdempotencyWindow(3, []).GetHashCode());
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

    /// <summary>The obvious implementation: a list, oldest first.</summary>
    private sealed record Model(int Capacity, List<ProcessedCommand> Entries)
    {
        public Model Remember(ProcessedCommand entry)
        {
            var entries = Entries.Where(e => e.CommandId != entry.CommandId).Append(entry).ToList();
            if (entries.Count > Capacity) entries.RemoveAt(0);
            return new Model(Capacity, entries);
        }

        public Model WithCapacity(int capacity) => new(capacity, Entries.Skip(Math.Max(0, Entries.Count - capacity)).ToList());

        public ProcessedCommand? Find(Guid id) => Entries.Find(e => e.CommandId == id);
    }

    [Fact]
    public void Ids_with_the_same_hash_code_are_told_apart_wherever_they_sit_in_the_window()
    {
        // Guid.GetHashCode xors the id's four ints: swapping the first two gives another id with the same hash code.
        static Guid WithInts(int a, int b) => new([.. BitConverter.GetBytes(a), .. BitConverter.GetBytes(b), .. BitConverter.GetBytes(7), .. BitConverter.GetBytes(9)]);
        var first = WithInts(1, 2);
        var twin = WithInts(2, 1);
        Assert.Equal(first.GetHashCode(), twin.GetHashCode());

        var window = IdempotencyWindow.Empty(500).Remember(Entry(first, 1));
        for (var i = 0; i < 100; i++) window = window.Remember(Entry(Id(), 2 + i));

        Assert.True(window.TryGet(first, out var found));
        Assert.Equal(first, found.CommandId);
        Assert.False(window.Contains(twin));

        var both = window.Remember(Entry(twin, 200));
        Assert.Equal(1, both.TryGet(first, out var stillFirst) ? stillFirst.Version : -1);
        Assert.Equal(200, both.TryGet(twin, out var second) ? second.Version : -1);
        Assert.Equal(102, both.Count);
    }

    [Theory]
    [InlineData(1, 40)]
    [InlineData(2, 40)]
    [InlineData(3, 40)]
    [InlineData(4, 200)]
    [InlineData(5, 200)]
    public void Random_remembers_shrinks_lookups_and_branches_agree_with_a_simple_list_model(int seed, int maxCapacity)
    {
        var random = new Random(seed);
        var capacity = random.Next(1, maxCapacity);
        var versions = new List<(IdempotencyWindow Window, Model Model)> { (IdempotencyWindow.Empty(capacity), new Model(capacity, [])) };
        var ids = new List<Guid>();

        for (var step = 0; step < 2000; step++)
        {
            // Mostly extend the latest version; sometimes branch from an older one (time travel, a retried decision).
            var (window, model) = random.Next(10) < 7 ? versions[^1] : versions[random.Next(versions.Count)];

            if (random.Next(12) == 0)
            {
                var newCapacity = random.Next(1, maxCapacity);
                (window, model) = (window.WithCapacity(newCapacity), model.WithCapacity(newCapacity));
            }
            else
            {
                // New ids, recent ids (update of the newest, move to newest) and long evicted ones.
                var id = ids.Count == 0 || random.Next(2) == 0 ? Id()
                    : random.Next(2) == 0 ? ids[Math.Max(0, ids.Count - 1 - random.Next(4))]
                    : ids[random.Next(ids.Count)];
                ids.Add(id);
                var entry = Entry(id, step);
                (window, model) = (window.Remember(entry), model.Remember(entry));
            }

            AssertAgrees(model, window);
            for (var probe = 0; probe < 5; probe++)
            {
                var id = ids.Count > 0 && random.Next(5) > 0 ? ids[random.Next(ids.Count)] : Id();
                Assert.Equal(model.Find(id), window.TryGet(id, out var found) ? found : null);
                Assert.Equal(model.Find(id) is not null, window.Contains(id));
            }

            versions.Add((window, model));
            if (versions.Count > 200) versions.RemoveAt(random.Next(versions.Count - 1));
        }
        foreach (var (kept, keptModel) in versions) AssertAgrees(keptModel, kept);
    }

    private static void AssertAgrees(Model model, IdempotencyWindow window)
    {
        Assert.Equal(model.Capacity, window.Capacity);
        Assert.Equal(model.Entries.Count, window.Count);
        Assert.Equal(model.Entries, window.Entries);
        var restored = new IdempotencyWindow(model.Capacity, model.Entries);
        Assert.Equal(restored, window);
        Assert.Equal(restored.GetHashCode(), window.GetHashCode());
    }
}
