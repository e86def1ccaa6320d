using System.Runtime.CompilerServices;
using Actors.Persistence.InMemory;
using Actors.Persistence.Journal;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>An in-memory journal that can be taken down: while <see cref="IsDown"/>, every call fails as a lost database would.</summary>
public sealed class FaultyJournal(InMemoryJournal inner) : IJournal
{
    private volatile bool _down;

    public InMemoryJournal Inner { get; } = inner;

    public bool IsDown
    {
        get => _down;
        set => _down = value;
    }

    public Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return Inner.WriteAsync(writes, cancellationToken);
    }

    public async IAsyncEnumerable<PersistentRepr> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        await foreach (var repr in Inner.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken))
            yield return repr;
    }

    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr = 0, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return Inner.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);
    }

    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return Inner.DeleteMessagesToAsync(persistenceId, toSequenceNr, cancellationToken);
    }

    private void ThrowIfDown()
    {
        if (_down) throw new IOException("The journal's database is unreachable (injected).");
    }
}
