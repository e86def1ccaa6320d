using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Tck;
using Actors.Persistence.Tck.Postgres;

namespace Actors.Persistence.Sql.Tests;

/// <summary>The journal TCK against <see cref="PostgresJournal"/>, in one fresh database for the whole class.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalTckTests(PostgresServer server) : JournalSpec
{
    // Every call opens another journal instance over the same database (the concurrent-writer test uses two).
    protected override async Task<IJournal> CreateJournalAsync()
    {
        var connectionString = await server.GetOrCreateDatabaseAsync(nameof(PostgresJournalTckTests));
        return new PostgresJournal(new PostgresJournalOptions(connectionString), Serializer);
    }
}
