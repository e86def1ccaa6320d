namespace Actors.Core;

/// <summary>An actor's place on the <see cref="ReceiveTimeoutWheel"/>; made when it first sets a receive timeout.</summary>
internal sealed class ReceiveTimeoutEntry(ActorCell cell)
{
    /// <summary>The actor; null only in a bucket's head (see <see cref="ReceiveTimeoutWheel"/>).</summary>
    public readonly ActorCell Cell = cell;

    /// <summary>Written on the actor's thread only; the wheel reads it under its lock when it re-arms.</summary>
    public TimeSpan Timeout;

    /// <summary>When the actor last finished a message that counts as activity (MonotonicClock.Milliseconds); written by the actor, read by the wheel.</summary>
    public long LastActivity;

    public long TimeoutMs => (long)Timeout.TotalMilliseconds;

    // Owned by the wheel, under its lock: the place in a bucket's doubly linked list. Every bucket starts with a head entry,
    // so an entry's Previous is never null while it is on the wheel and unlinking needs no bucket number (an int field
    // that cost 8 bytes per actor with a receive timeout). No due time is stored: it is always LastActivity + Timeout
    // (activity only moves it later, which the wheel sees when the bucket comes).
    internal ReceiveTimeoutEntry? Previous;
    internal ReceiveTimeoutEntry? Next;

    /// <summary>Whether the entry is on the wheel (in some bucket's list).</summary>
    internal bool IsLinked => Previous is not null;
}

/// <summary>
/// The receive timeouts of all actors of a system on one hashed timer wheel, driven by one coarse timer that runs
/// only while some actor has a timeout. A timeout fires up to about two ticks late, never early: the tick only sends
/// the actor a <see cref="ReceiveTimeoutTick"/>, and the actor checks on its own thread that it really was idle that long.
/// An actor that was active meanwhile is moved to its new due time on the wheel without being disturbed.
/// The lock is held for a few pointer moves only (arming, cancelling, one bucket per tick) and never while telling an actor.
/// </summary>
internal sealed class ReceiveTimeoutWheel : IDisposable
{
    /// <summary>The wheel's resolution. Receive timeouts are for idleness (seconds to minutes), not for precise timing.</summary>
    internal const int TickMs = 10;

    /// <summary>Buckets per round (about 5 s); an entry due in a later round stays in its bucket until its round comes.</summary>
    internal const int DefaultWheelSize = 512;

    private readonly object _gate = new();
    // The head entry of each bucket (made on the bucket's first use), before its first real entry.
    private readonly ReceiveTimeoutEntry?[] _buckets;
    private readonly Timer _timer;
    private long _nextTick;      // the tick (time / TickMs) whose bucket is handled next
    private int _count;          // entries on the wheel
    private bool _running;       // whether the timer is ticking
    private bool _disposed;

    public ReceiveTimeoutWheel(int wheelSize = DefaultWheelSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wheelSize, 1);
        _buckets = new ReceiveTimeoutEntry?[wheelSize];
        _timer = new Timer(static state => ((ReceiveTimeoutWheel)state!).OnTick(), this, Timeout.Infinite, Timeout.Infinite);
    }

    private int WheelSize => _buckets.Length;

    /// <summary>Entries on the wheel (for tests and diagnostics).</summary>
    internal int Count
    {
        get { lock (_gate) return _count; }
    }

    /// <summary>Puts the entry on the wheel (or moves it there) to be due at <paramref name="deadline"/> (MonotonicClock.Milliseconds).</summary>
    public void Arm(ReceiveTimeoutEntry entry, long deadline)
    {
        lock (_gate)
        {
            if (_disposed) return;
            if (entry.IsLinked) Unlink(entry);
            if (!_running)
            {
                _nextTick = MonotonicClock.Milliseconds / TickMs;
                _running = true;
                _timer.Change(TickMs, TickMs);
            }
            Link(entry, deadline);
        }
    }

    /// <summary>Takes the entry off the wheel; a tick already sent is ignored by the actor (its entry is gone).</summary>
    public void Cancel(ReceiveTimeoutEntry entry)
    {
        lock (_gate)
        {
            if (entry.IsLinked && !_disposed) Unlink(entry); // after Dispose the buckets are gone and the count is 0
        }
    }

    /// <summary>Stops the timer for good (the system has terminated); arming does nothing afterwards.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _running = false;
            Array.Clear(_buckets);
            _count = 0;
        }
        _timer.Dispose();
    }

    private void OnTick()
    {
        List<ActorCell>? due = null;
        lock (_gate)
        {
            if (!_running) return;
            var now = MonotonicClock.Milliseconds;
            var currentTick = now / TickMs;
            // A late callback (a busy machine) catches up; after a whole round every bucket has been seen once.
            var last = Math.Min(currentTick, _nextTick + WheelSize - 1);
            for (var tick = _nextTick; tick <= last; tick++) CollectDue((int)(tick % WheelSize), now, ref due);
            _nextTick = currentTick + 1;
            if (_count == 0)
            {
                // Nothing left to time: the timer sleeps until the next Arm instead of waking the process 100 times a second.
                _running = false;
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }
        if (due is null) return;
        foreach (var cell in due) cell.Tell(ReceiveTimeoutTick.Instance, null);
    }

    private void CollectDue(int bucket, long now, ref List<ActorCell>? due)
    {
        var entry = _buckets[bucket]?.Next;
        while (entry is not null)
        {
            var next = entry.Next;
            var deadline = Volatile.Read(ref entry.LastActivity) + entry.TimeoutMs;
            if (deadline <= now)
            {
                Unlink(entry);
                (due ??= []).Add(entry.Cell); // off the wheel until the actor re-arms it
            }
            else
            {
                // Not due (active meanwhile, or due in a later round): it stays or moves to the bucket of its due time.
                var tick = Math.Max((deadline + TickMs - 1) / TickMs, _nextTick);
                if ((int)(tick % WheelSize) != bucket)
                {
                    Unlink(entry);
                    Link(entry, deadline);
                }
            }
            entry = next;
        }
    }

    private void Link(ReceiveTimeoutEntry entry, long deadline)
    {
        // Due at the first tick at or after the deadline, and never in a bucket already passed.
        var tick = Math.Max((deadline + TickMs - 1) / TickMs, _nextTick);
        var head = _buckets[(int)(tick % WheelSize)] ??= new ReceiveTimeoutEntry(null!);
        entry.Previous = head;
        entry.Next = head.Next;
        if (entry.Next is not null) entry.Next.Previous = entry;
        head.Next = entry;
        _count++;
    }

    private void Unlink(ReceiveTimeoutEntry entry)
    {
        entry.Previous!.Next = entry.Next;
        if (entry.Next is not null) entry.Next.Previous = entry.Previous;
        entry.Previous = entry.Next = null;
        _count--;
    }
}
