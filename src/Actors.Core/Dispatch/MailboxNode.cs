namespace Actors.Core;

/// <summary>One message in a mailbox: a node of an intrusive multi-producer, single-consumer queue.</summary>
internal sealed class MailboxNode(object? message, IActorRef? sender)
{
    public MailboxNode? Next;
    public object? Message = message;
    public IActorRef? Sender = sender;
}
