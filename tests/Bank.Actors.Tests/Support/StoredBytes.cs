using AkkaSerialization = Akka.Serialization.Serialization;
using Bank.Actors.Serialization;

namespace Bank.Actors.Tests.Support;

/// <summary>
/// What a real journal or snapshot store keeps of a payload: the serializer id, the manifest and the bytes, found and
/// written by Akka's serialization exactly as Akka.Persistence.Sql does. The in-memory stores keep objects, so the specs
/// store these instead (<see cref="SerializingEventAdapter"/>, <see cref="SerializingSnapshotStore"/>): whatever the
/// actors recover has been through the bank serializer.
/// </summary>
public sealed record StoredBytes(int SerializerId, string Manifest, byte[] Bytes)
{
    public static StoredBytes Of(AkkaSerialization serialization, object payload)
    {
        var serializer = serialization.FindSerializerFor(payload);
        if (serializer.Identifier != BankSerializer.Id)
            throw new InvalidOperationException($"{payload.GetType().FullName} would be stored by {serializer.GetType().Name}, not by the bank serializer: a binding is missing.");
        return new StoredBytes(serializer.Identifier, AkkaSerialization.ManifestFor(serializer, payload), serializer.ToBinary(payload));
    }

    public object Load(AkkaSerialization serialization) => serialization.Deserialize(Bytes, SerializerId, Manifest);
}
