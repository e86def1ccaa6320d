namespace Actors.Hosting.Hocon;

/// <summary>A list node, e.g. <c>[1, 2, 3]</c> or a list of objects.</summary>
public sealed class HoconList : HoconValue
{
    private readonly List<HoconValue> _items = [];

    internal HoconList(HoconOrigin origin)
        : base(origin)
    {
    }

    public IReadOnlyList<HoconValue> Items => _items;

    internal bool IsResolved { get; set; }

    internal void Add(HoconValue item) => _items.Add(item);

    internal void ReplaceItems(IEnumerable<HoconValue> items)
    {
        var snapshot = items.ToList();
        _items.Clear();
        _items.AddRange(snapshot);
    }

    internal override string Describe() => "a list";
}
