namespace Bank.Host.Auth;

/// <summary>
/// Counts the open event streams, per subject and in total, so that one caller (or many) cannot tie up the node with
/// long-lived connections. A stream holds its lease until its request ends.
/// </summary>
public sealed class EventStreamLimits(BankLimitSettings settings)
{
    private readonly Dictionary<string, int> _bySubject = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _total;

    /// <summary>A lease for one more stream of <paramref name="subject"/>, or null when either cap is reached.</summary>
    public IDisposable? TryOpen(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        lock (_lock)
        {
            var mine = _bySubject.GetValueOrDefault(subject);
            if (mine >= settings.EventStreamsPerSubject || _total >= settings.EventStreamsTotal) return null;
            _bySubject[subject] = mine + 1;
            _total++;
        }
        return new Lease(this, subject);
    }

    /// <summary>Streams open now (for tests and diagnostics).</summary>
    public int Open
    {
        get
        {
            lock (_lock) return _total;
        }
    }

    private void Close(string subject)
    {
        lock (_lock)
        {
            _total--;
            if (_bySubject[subject] is 1) _bySubject.Remove(subject);
            else _bySubject[subject]--;
        }
    }

    private sealed class Lease(EventStreamLimits limits, string subject) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) limits.Close(subject);
        }
    }
}
