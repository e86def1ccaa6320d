namespace Actors.TestKit.Internal;

/// <summary>The deadline of the innermost <c>WithinAsync</c> block of the current async flow.</summary>
internal sealed class WithinScope(TimeSpan deadline)
{
    public TimeSpan Deadline { get; } = deadline;

    /// <summary>Whether the last expectation in the block was an ExpectNoMsg, which may overrun the deadline a little.</summary>
    public bool LastWasNoMsg { get; set; }
}
