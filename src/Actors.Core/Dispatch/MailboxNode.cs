namespace Actors.Core;

/// <summary>
/// A link of a mailbox: an intrusive multi-producer, single-consumer queue. The consumer's head is always a link whose
/// message has been taken (or none ever was): the actor cell itself while the mailbox is empty, else the last node taken.
/// </summary>
internal abstract class MailboxLink
{
    public MailboxNode? Next;
}

/// <summary>One message in a mailbox.</summary>
internal sealed class MailboxNode(object? message, IActorRef? sender) : MailboxLink
{
    public object? Message = message;
    public IActorRef? Sender = sender;
}
