namespace Actors.Core;

/// <summary>An actor that can put messages aside and take them back later, in their original order.</summary>
public interface IWithStash
{
    /// <summary>Set by the runtime when the actor is created.</summary>
    IStash Stash { get; set; }
}

/// <summary>Akka's name for the same thing.</summary>
public interface IWithUnboundedStash : IWithStash;

public interface IStash
{
    /// <summary>Puts the message being handled aside.</summary>
    void Stash();

    /// <summary>Puts all stashed messages back in front of the mailbox, oldest first.</summary>
    void UnstashAll();

    /// <summary>Puts back the oldest stashed message only.</summary>
    void Unstash();

    /// <summary>Drops all stashed messages (they go to dead letters).</summary>
    void ClearStash();

    int Count { get; }
}

public sealed class StashOverflowException(string message) : Exception(message);
