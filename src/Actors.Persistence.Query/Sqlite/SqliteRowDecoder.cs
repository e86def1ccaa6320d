using System.Text;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Actors.Persistence.Query;

/// <summary>
/// Reads the event rows of one global query (columns as <see cref="Internal.StoredRows.EventColumns"/>) straight from
/// SQLite's prepared statement: the payload is deserialized from SQLite's own buffer (no byte[] copy), and the texts
/// that repeat from row to row (persistence ids, manifests, the tags column) are decoded once and then looked up by
/// their UTF-8 bytes. One decoder per query (not thread-safe); its caches live as long as the query.
/// </summary>
internal sealed class SqliteRowDecoder(IEventSerializer serializer)
{
    private readonly Utf8Cache<string> _persistenceIds = new(1024, static bytes => Encoding.UTF8.GetString(bytes));
    private readonly Utf8Cache<string> _manifests = new(64, static bytes => Encoding.UTF8.GetString(bytes));
    private readonly Utf8Cache<IReadOnlyList<string>> _tags = new(64, static bytes => TagsColumn.Read(Encoding.UTF8.GetString(bytes)));

    /// <summary>
    /// Runs <paramref name="sql"/> (parameters <c>$from, $to, $limit</c> and, when given, <c>$tag</c>) on the
    /// connection, in its current transaction, and decodes every row into <paramref name="rows"/>.
    /// </summary>
    public void Read(SqliteConnection connection, string sql, long from, long to, int limit, string? tag, List<Internal.GlobalRow> rows)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        using (statement)
        {
            Check(db, rc);
            Check(db, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "$from"), from));
            Check(db, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "$to"), to));
            Check(db, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "$limit"), limit));
            if (tag is not null) Check(db, raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, "$tag"), tag));
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                var envelope = Decode(statement);
                rows.Add(new Internal.GlobalRow(envelope.Offset, envelope.PersistenceId, envelope));
            }
            if (rc != raw.SQLITE_DONE) Check(db, rc);
        }
    }

    private EventEnvelope Decode(sqlite3_stmt statement)
    {
        var manifest = _manifests.Get(raw.sqlite3_column_blob(statement, 3));
        var tags = raw.sqlite3_column_type(statement, 6) == raw.SQLITE_NULL ? PersistentRepr.NoTags : _tags.Get(raw.sqlite3_column_blob(statement, 6));
        return new EventEnvelope(
            raw.sqlite3_column_int64(statement, 0),
            _persistenceIds.Get(raw.sqlite3_column_blob(statement, 1)),
            raw.sqlite3_column_int64(statement, 2),
            DateTimeOffset.FromUnixTimeMilliseconds(raw.sqlite3_column_int64(statement, 5)),
            tags,
            serializer.Deserialize(manifest, raw.sqlite3_column_blob(statement, 4)),
            manifest);
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE)) SqliteException.ThrowExceptionForRC(rc, db);
    }

    /// <summary>A fixed-size, direct-mapped cache from UTF-8 bytes to their decoded value (a collision replaces the entry).</summary>
    private sealed class Utf8Cache<T>(int size, Func<ReadOnlySpan<byte>, T> decode)
    {
        private readonly (byte[] Key, T Value)[] _entries = new (byte[] Key, T Value)[size];

        public T Get(ReadOnlySpan<byte> bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            var slot = (int)((uint)hash.ToHashCode() % (uint)_entries.Length);
            ref var entry = ref _entries[slot];
            if (entry.Key is { } key && bytes.SequenceEqual(key)) return entry.Value;
            var value = decode(bytes);
            entry = (bytes.ToArray(), value);
            return value;
        }
    }
}
