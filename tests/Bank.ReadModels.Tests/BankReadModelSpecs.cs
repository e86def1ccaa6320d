using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.ReadModels.Tests;

/// <summary>
/// The bank read model's contract, run on SQLite and on PostgreSQL (the subclasses below): real events through
/// Akka.Persistence.Sql's journal and read journal, the real projection, and the queries the API uses. Each test has a
/// database of its own.
/// </summary>
public abstract partial class BankReadModelSpecs : IAsyncLifetime
{
    private ReadSide? _side;

    protected ReadSide Side => _side ?? throw new InvalidOperationException("Not initialized.");

    protected BankReadModelQueries Queries => Side.Queries;

    protected AccountWriter Writer => Side.Writer;

    protected abstract Task<ReadSide> CreateReadSideAsync();

    public async Task InitializeAsync() => _side = await CreateReadSideAsync();

    public async Task DisposeAsync()
    {
        if (_side is not null) await _side.DisposeAsync();
    }

    /// <summary>Starts the projection and waits until it has <paramref name="offset"/>.</summary>
    protected async Task ProjectedAsync(long offset)
    {
        await Side.Projection.StartAsync();
        await Side.CaughtUpToAsync(offset);
    }

    /// <summary>Every page of the account's transactions, walked with <paramref name="limit"/> and NextOffset.</summary>
    protected async Task<List<AccountTransaction>> AllTransactionsAsync(string accountId, int limit = BankReadModel.MaxPageSize)
    {
        var all = new List<AccountTransaction>();
        int? offset = 0;
        while (offset is { } next)
        {
            var page = await Queries.GetTransactionsAsync(accountId, next, limit);
            all.AddRange(page.Items);
            offset = page.NextOffset;
        }
        return all;
    }

    /// <summary>Every page of the list, walked with NextOffset.</summary>
    protected async Task<List<AccountSummary>> AllAccountsAsync(AccountListQuery query)
    {
        var all = new List<AccountSummary>();
        int? offset = query.Offset;
        while (offset is { } next)
        {
            var page = await Queries.ListAccountsAsync(query with { Offset = next });
            Assert.True(page.Items.Count <= query.Limit);
            all.AddRange(page.Items);
            offset = page.NextOffset;
        }
        return all;
    }

    /// <summary>Moves the stored offset of the bank projection (the projection must be stopped).</summary>
    protected Task SetStoredOffsetAsync(long offset) =>
        Side.Database.InTransactionAsync((session, ct) => session.ExecuteAsync(
            $"UPDATE {session.Table(ProjectionDatabase.OffsetTable)} SET last_offset = @offset WHERE name = @name", ct,
            ("offset", offset), ("name", BankReadModel.ProjectionName)), CancellationToken.None);
}

/// <summary>The bank read model in the journal's SQLite file.</summary>
public sealed class SqliteBankReadModelSpecs : BankReadModelSpecs
{
    protected override Task<ReadSide> CreateReadSideAsync() => ReadSide.SqliteAsync();
}

/// <summary>The bank read model in a SQLite file of its own, the journal's file attached (the host's layout).</summary>
public sealed class SqliteOwnFileBankReadModelSpecs : BankReadModelSpecs
{
    protected override Task<ReadSide> CreateReadSideAsync() => ReadSide.SqliteAsync(readModelFile: true);
}

/// <summary>The bank read model in the journal's PostgreSQL database. Never skipped: no PostgreSQL fails it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresBankReadModelSpecs(PostgresServer server) : BankReadModelSpecs
{
    protected override Task<ReadSide> CreateReadSideAsync() => ReadSide.PostgresAsync(server);
}
