using Actors.Shared;

namespace Actors.Journal.Tests;

public sealed class IdlePoolSpecs
{
    [Fact]
    public void A_reader_is_reused_by_the_next_read_and_no_more_than_the_limit_are_kept()
    {
        var opened = new List<Item>();
        var pool = new IdlePool<Item>(maxIdle: 1, () => Opened(opened));

        var first = pool.Use(item => item);
        var second = pool.Use(item => item);
        Assert.Same(first, second);
        Assert.Single(opened);

        // Two reads at once: the second needs a reader of its own, and only one of the two is kept afterwards.
        var inner = pool.Use(outer => pool.Use(item => item));
        Assert.Equal(2, opened.Count);
        Assert.Equal(1, opened.Count(item => item.Disposed));
        Assert.NotSame(first, inner);
    }

    [Fact]
    public void A_reader_whose_read_failed_is_closed_and_never_handed_out_again()
    {
        var opened = new List<Item>();
        var pool = new IdlePool<Item>(maxIdle: 4, () => Opened(opened));

        Assert.Throws<InvalidOperationException>(() => pool.Use<int>(_ => throw new InvalidOperationException("half-stepped")));
        var next = pool.Use(item => item);

        Assert.True(opened[0].Disposed);
        Assert.NotSame(opened[0], next);
        Assert.False(next.Disposed);
    }

    [Fact]
    public void Once_disposed_it_closes_its_idle_readers_refuses_reads_and_closes_the_ones_handed_back()
    {
        var pool = new IdlePool<Item>(maxIdle: 4, () => new Item());

        var held = pool.Use(inUse =>
        {
            var idle = pool.Use(item => item);
            pool.Dispose();
            Assert.True(idle.Disposed);
            Assert.False(inUse.Disposed);
            return inUse;
        });

        Assert.True(held.Disposed);
        Assert.Throws<ObjectDisposedException>(() => pool.Use(item => item));
    }

    private static Item Opened(List<Item> opened)
    {
        var item = new Item();
        opened.Add(item);
        return item;
    }

    internal sealed class Item : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
