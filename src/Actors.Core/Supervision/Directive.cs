namespace Actors.Core.Supervision;

/// <summary>What a supervisor does with a child that threw.</summary>
public enum Directive
{
    /// <summary>Keep the instance and its state, skip the failing message.</summary>
    Resume,
    /// <summary>Replace the instance with a fresh one; the mailbox is kept.</summary>
    Restart,
    Stop,
    /// <summary>Fail the supervisor itself, so its own supervisor decides.</summary>
    Escalate,
}
