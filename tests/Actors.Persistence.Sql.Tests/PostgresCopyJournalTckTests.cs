using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Tck;
using Actors.Persistence.Tck.Postgres;

namespace Actors.Persistence.Sql.Tests;

/// <summary>The journal TCK against <see cref="PostgresJournal"/> with every batch written by binary COPY (CopyThreshold = 1).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCopyJournalTckTests(PostgresServer server) : JournalSpec
{
    protected override async Task<IJournal> CreateJournalAsync()
    {
        var connectionString = await server.GetOrCreateDatabaseAsync(nameof(PostgresCopyJournalTckTests));
        return new PostgresJournal(new PostgresJournalOptions(connectionString) { CopyThreshold = 1 }, Serializer);
    }
}
