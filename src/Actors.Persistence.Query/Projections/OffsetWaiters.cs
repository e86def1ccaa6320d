namespace Actors.Persistence.Query.Projections;

/// <summary>Callers waiting for the stored offset to reach a value (read-your-writes).</summary>
internal sealed class OffsetWaiters
{
    private readonly Lock _gate = new();
    private readonly List<(long Offset, TaskCompletionSource Reached)> _waiting = [];

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

    /// <summary>Releases everyone waiting for <paramref name="offset"/> or less.</summary>
    public void Reached(long offset)
    {
        List<TaskCompletionSource>? done = null;
        lock (_gate)
        {
            if (_waiting.Count == 0) return;
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                if (_waiting[i].Offset > offset) continue;
                (done ??= []).Add(_waiting[i].Reached);
                _waiting.RemoveAt(i);
            }
        }
        if (done is null) return;
        foreach (var reached in done) reached.TrySetResult();
    }
}
