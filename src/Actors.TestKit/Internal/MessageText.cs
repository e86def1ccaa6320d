using Actors.Core;

namespace Actors.TestKit.Internal;

/// <summary>Renders messages for failure reports.</summary>
internal static class MessageText
{
    private const int MaxLength = 300;

    public static string Describe(object? message)
    {
        if (message is null) return "null";
        var type = message.GetType();
        string text;
        try { text = message.ToString() ?? ""; }
        catch (Exception e) { text = $"<ToString threw {e.GetType().Name}>"; }
        if (text.Length > MaxLength) text = string.Concat(text.AsSpan(0, MaxLength), "…");
        if (message is string) return $"\"{text}\" (String)";
        if (text == type.FullName || text == type.ToString()) return TypeName(type);
        return text.StartsWith(type.Name, StringComparison.Ordinal) ? text : $"{text} ({TypeName(type)})";
    }

    public static string Describe(Envelope envelope) => $"{Describe(envelope.Message)} from {Describe(envelope.Sender)}";

    public static string Describe(IActorRef sender) => sender.Path.ToString();

    public static string List(IReadOnlyCollection<Envelope> envelopes) =>
        envelopes.Count == 0 ? "nothing" : $"{envelopes.Count}: [" + string.Join(", ", envelopes.Select(e => Describe(e.Message))) + "]";

    public static string TypeName(Type type)
    {
        if (!type.IsGenericType) return type.Name;
        var name = type.Name;
        var tick = name.IndexOf('`');
        if (tick > 0) name = name[..tick];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>";
    }

    public static string Ms(TimeSpan duration) => duration == Timeout.InfiniteTimeSpan ? "∞" : $"{duration.TotalMilliseconds:0} ms";

    public static string Hint(string? hint) => string.IsNullOrEmpty(hint) ? "" : $" ({hint})";
}
