namespace Actors.Persistence.Serialization;

public readonly record struct SerializedPayload(string Manifest, byte[] Bytes);

/// <summary>Turns events and snapshots into bytes with a stable type name (manifest) and back.</summary>
public interface IEventSerializer
{
    /// <summary>Throws <see cref="EventSerializationException"/> when the payload cannot be serialized.</summary>
    SerializedPayload Serialize(object payload);

    object Deserialize(string manifest, ReadOnlySpan<byte> bytes);
}

public sealed class EventSerializationException(string message, Exception? inner = null) : Exception(message, inner);
