using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;
using Bank.Domain;

namespace Bank.Actors.Serialization;

/// <summary>
/// Writes every persisted event and snapshot, and every message that may cross nodes, as JSON under a stable string
/// manifest (<see cref="BankManifests"/>), never with CLR type names: renaming a class never breaks stored events.
/// Enums are written by name, decimals exactly.
/// </summary>
public sealed class BankSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id stored in the journal's <c>identifier</c> column. Never change it.</summary>
    public const int Id = 7411;

    public const string Name = "bank-json";

    private static readonly IReadOnlyDictionary<string, Type> TypeByManifest =
        BankManifests.ByType.ToDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new IssuerJsonConverter(), new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        NumberHandling = JsonNumberHandling.Strict,
    };

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        BankManifests.ByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new SerializationException($"{o.GetType().FullName} has no bank manifest; add one to {nameof(BankManifests)}.");

    public override byte[] ToBinary(object obj) => obj switch
    {
        AccountState state => JsonSerializer.SerializeToUtf8Bytes(AccountSnapshot.Of(state), Json),
        _ => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (BankUpcasters.All.ContainsKey(manifest)) return Upcast(bytes, manifest);
        if (!TypeByManifest.TryGetValue(manifest, out var type))
            throw new SerializationException($"Unknown bank manifest '{manifest}': written by a newer version, or a name was changed.");
        if (type == typeof(AccountState))
            return Deserialize<AccountSnapshot>(bytes, manifest).ToState();
        return JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"A null '{manifest}' was stored.");
    }

    private object Upcast(byte[] bytes, string manifest)
    {
        var json = JsonNode.Parse(bytes)?.AsObject() ?? throw new SerializationException($"A null '{manifest}' was stored.");
        while (BankUpcasters.All.TryGetValue(manifest, out var step))
        {
            json = step.Upcast(json);
            manifest = step.Becomes;
        }
        return FromBinary(JsonSerializer.SerializeToUtf8Bytes(json, Json), manifest);
    }

    private static T Deserialize<T>(byte[] bytes, string manifest) =>
        JsonSerializer.Deserialize<T>(bytes, Json) ?? throw new SerializationException($"A null '{manifest}' was stored.");
}
