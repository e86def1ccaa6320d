using static Bank.Domain.Tests.IdempotencyWindowSpecs;

namespace Bank.Domain.Tests;

/// <summary>
/// The idempotency window against a naive list model under random operations and branching, and under threads
/// sharing one version (versions share an append-only log that only the newest may extend).
/// </summary>
public sealed class IdempotencyWindowModelSpecs
{
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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Random_remembers_shrinks_lookups_and_branches_agree_with_a_simple_list_model(int seed)
    {
        var random = new Random(seed);
        var capacity = random.Next(1, 40);   // both sides of the log's linear-search limit
        var versions = new List<(IdempotencyWindow Window, Model Model)> { (IdempotencyWindow.Empty(capacity), new Model(capacity, [])) };
        var ids = new List<Guid>();

        for (var step = 0; step < 3000; step++)
        {
            // Mostly extend the latest version; sometimes branch from an older one (time travel, a retried decision).
            var (window, model) = random.Next(10) < 7 ? versions[^1] : versions[random.Next(versions.Count)];

            if (random.Next(12) == 0)
            {
                var newCapacity = random.Next(1, 40);
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
            if (step % 250 == 0)
            {
                foreach (var (kept, keptModel) in versions) AssertAgrees(keptModel, kept);
            }
        }
        foreach (var (kept, keptModel) in versions) AssertAgrees(keptModel, kept);
    }

    private static void AssertAgrees(Model model, IdempotencyWindow window)
    {
        Assert.Equal(model.Capacity, window.Capacity);
        Assert.Equal(model.Entries.Count, window.Count);
        Assert.Equal(model.Entries, window.Entries);
        Assert.All(model.Entries, e => Assert.True(window.TryGet(e.CommandId, out var found) && found == e));
        var restored = new IdempotencyWindow(model.Capacity, model.Entries);
        Assert.Equal(restored, window);
        Assert.Equal(restored.GetHashCode(), window.GetHashCode());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1000)]
    public async Task Remembering_from_one_window_on_two_threads_at_once_yields_two_correct_windows(int capacity)
    {
        var window = Remembering(IdempotencyWindow.Empty(capacity), Entries(capacity));
        using var barrier = new Barrier(2);

        for (var round = 0; round < 300; round++)
        {
            var shared = window;
            var before = shared.Entries.ToArray();
            // Odd rounds: one thread re-remembers an existing id, so it supersedes a slot the other one copies.
            var mine = Entry(Id(), round);
            var theirs = round % 2 == 1 ? before[^1] with { Version = round } : Entry(Id(), round);

            var other = Task.Factory.StartNew(() =>
            {
                barrier.SignalAndWait();
                return shared.Remember(theirs);
            }, TaskCreationOptions.LongRunning);
            barrier.SignalAndWait();
            var myWindow = shared.Remember(mine);
            var theirWindow = await other;

            ProcessedCommand[] theirExpected = round % 2 == 1 ? [.. before[..^1], theirs] : [.. before[1..], theirs];
            Assert.Equal([.. before[1..], mine], myWindow.Entries);
            Assert.Equal(theirExpected, theirWindow.Entries);
            Assert.Equal(before, shared.Entries);
            Assert.False(theirWindow.Contains(mine.CommandId));
            window = round % 3 == 0 ? theirWindow : myWindow;
        }
    }

    [Fact]
    public async Task Reading_an_older_window_while_another_thread_extends_its_log_sees_it_unchanged()
    {
        for (var round = 0; round < 10; round++)
        {
            var entries = Entries(1000);
            var old = Remembering(IdempotencyWindow.Empty(1000), entries);
            var writer = Task.Factory.StartNew(() =>
            {
                // Appends in place to the log `old` reads from, re-remembering its ids too (links, supersessions).
                var random = new Random(round);
                var window = old;
                for (var i = 0; i < 3000; i++)
                    window = window.Remember(random.Next(2) == 0 ? Entry(Id(), i) : entries[random.Next(entries.Length)] with { Version = -i });
                return window;
            }, TaskCreationOptions.LongRunning);

            do
            {
                Assert.Equal(entries, old.Entries);
                Assert.All(entries, e => Assert.True(old.TryGet(e.CommandId, out var found) && found == e));
            }
            while (!writer.IsCompleted);

            Assert.Equal(1000, (await writer).Count);
            Assert.Equal(entries, old.Entries);
        }
    }
}
