using System.Data.Common;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql;

namespace Actors.Persistence.Query.Internal;

/// <summary>Turns journal rows (the SQL journals' common columns) into envelopes.</summary>
internal static class StoredRows
{
    /// <summary>
    /// The columns every event query selects, in this order (qualify them with <paramref name="alias"/> in joins).
    /// </summary>
    public static string EventColumns(string alias = "") =>
        $"{alias}ordering, {alias}persistence_id, {alias}sequence_nr, {alias}manifest, {alias}payload, {alias}timestamp, {alias}tags";

    /// <summary>Reads one row selected with <see cref="EventColumns"/>.</summary>
    public static EventEnvelope ReadEnvelope(DbDataReader reader, IEventSerializer serializer)
    {
        var manifest = reader.GetString(3);
        var payload = reader.GetFieldValue<byte[]>(4);
        return new EventEnvelope(
            reader.GetInt64(0),
            reader.GetString(1),
            reader.GetInt64(2),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
            reader.IsDBNull(6) ? PersistentRepr.NoTags : TagsColumn.Read(reader.GetString(6)),
            serializer.Deserialize(manifest, payload),
            manifest);
    }
}
