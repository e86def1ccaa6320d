namespace Actors.Persistence.Sql.Batching;

/// <summary>Writes one batch of atomic writes to the database, in as few transactions as it can.</summary>
internal interface IBatchWriter : IAsyncDisposable
{
    /// <summary>
    /// Writes the batch. Sets <see cref="PendingWrite.Outcome"/> of each write it decided (Stored only after the commit).
    /// Throws when the whole batch failed (e.g. broken connection): every write still without a result then fails
    /// with that exception. Returns the number of transactions it committed.
    /// Called by one batcher lane at a time; with several lanes, concurrently from each of them.
    /// </summary>
    Task<int> WriteAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken);
}
