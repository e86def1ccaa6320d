namespace Actors.Persistence.Sql.Sqlite;

/// <summary>SQLite's PRAGMA synchronous. In WAL mode, Full makes every commit durable (one fsync per transaction);
/// Normal may lose the last commits on power loss (never on a process crash) but never corrupts the file.</summary>
public enum SqliteSynchronous
{
    Off = 0,
    Normal = 1,
    Full = 2,
    Extra = 3,
}
