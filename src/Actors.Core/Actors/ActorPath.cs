using System.Text;

namespace Actors.Core;

/// <summary>Where an actor sits in its system's tree: <c>actors://system/user/parent/child</c>.</summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private string? _text;

    private ActorPath(ActorPath? parent, string name)
    {
        Parent = parent;
        Name = name;
    }

    public ActorPath? Parent { get; }
    public string Name { get; }

    /// <summary>The root path of a system; its name is the system's name.</summary>
    public static ActorPath Root(string systemName) => new(null, systemName);

    public ActorPath Child(string name) => new(this, name);

    public ActorPath RootPath => Parent is null ? this : Parent.RootPath;

    public IEnumerable<string> Elements
    {
        get
        {
            var stack = new Stack<string>();
            for (var p = this; p.Parent is not null; p = p.Parent) stack.Push(p.Name);
            return stack;
        }
    }

    public override string ToString() => _text ??= Build();

    private string Build()
    {
        var sb = new StringBuilder("actors://").Append(RootPath.Name);
        foreach (var element in Elements) sb.Append('/').Append(element);
        if (Parent is null) sb.Append('/');
        return sb.ToString();
    }

    public bool Equals(ActorPath? other) =>
        other is not null && (ReferenceEquals(this, other) || (Name == other.Name && Equals(Parent, other.Parent)));

    public override bool Equals(object? obj) => obj is ActorPath p && Equals(p);

    public override int GetHashCode() => HashCode.Combine(Name, Parent);

    /// <summary>Names are unique among siblings; '$' starts the names the runtime makes up.</summary>
    internal static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new InvalidActorNameException("An actor name must not be empty.");
        if (name[0] == '$') throw new InvalidActorNameException($"Actor name '{name}' must not start with '$' (reserved for generated names).");
        foreach (var c in name)
        {
            if (c is '/' or '#' or '?' or ' ' || char.IsControl(c))
                throw new InvalidActorNameException($"Actor name '{name}' contains the illegal character '{c}'.");
        }
    }
}

public sealed class InvalidActorNameException(string message) : Exception(message);
