namespace Bank.ReadModels.Projections;

/// <summary>
/// Callers waiting for an event to be in the read model (read-your-writes): the event at ordering m is there once the
/// offset is at least m and m is not in a pending gap (an event the stream skipped and the projection still waits for).
/// </summary>
internal sealed class OffsetWaiters
{
    private readonly Lock _gate = new();
    private readonly List<(long Offset, TaskCompletionSource Reached)> _waiting = [];

    public static bool IsApplied(long ordering, long offset, GapSet gaps) => ordering <= offset && !gaps.Contains(ordering);

    public TaskCompletionSource Add(long offset)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _waiting.Add((offset, reached));
        return reached;
    }

    public void Remove(TaskCompletionSource reached)
    {
        lock (_gate) _waiting.RemoveAll(w => ReferenceEquals(w.Reached, reached));
    }

    /// <summary>Releases everyone waiting for an ordering that is now applied.</summary>
    public void Reached(long offset, GapSet gaps)
    {
        List<TaskCompletionSource>? done = null;
        lock (_gate)
        {
            if (_waiting.Count == 0) return;
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                if (!IsApplied(_waiting[i].Offset, offset, gaps)) continue;
                (done ??= []).Add(_waiting[i].Reached);
                _waiting.RemoveAt(i);
            }
        }
        if (done is null) return;
        foreach (var reached in done) reached.TrySetResult();
    }
}
