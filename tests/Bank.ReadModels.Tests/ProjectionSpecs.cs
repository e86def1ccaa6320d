using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.ReadModels.Tests;

/// <summary>
/// The projection runtime on Akka.Streams with the bank read model: live following, restarts from the stored offset,
/// failures and backoff, rebuilds, batching, read-your-writes, status and the registry. On SQLite and PostgreSQL.
/// </summary>
public abstract partial class ProjectionSpecs : IAsyncLifetime
{
    private ReadSide? _side;

    protected ReadSide Side => _side ?? throw new InvalidOperationException("Not initialized.");

    protected AccountWriter Writer => Side.Writer;

    protected abstract Task<ReadSide> CreateReadSideAsync();

    public async Task InitializeAsync() => _side = await CreateReadSideAsync();

    public async Task DisposeAsync()
    {
        if (_side is not null) await _side.DisposeAsync();
    }

    /// <summary>
    /// The bank projection's handler wrapped in <paramref name="handler"/>, under the bank projection's name, reading
    /// <paramref name="source"/> (default: the read journal's events by the account tag).
    /// </summary>
    protected Projection BankProjectionWith(Func<IProjectionHandler, IProjectionHandler> handler, ProjectionSettings? settings = null,
        RecordingLog? log = null, ProjectionSource? source = null) =>
        new(BankReadModel.ProjectionName, Side.System, source ?? ProjectionSource.EventsByTag(Side.ReadJournal, BankReadModel.AccountTag),
            handler(new BankAccountsHandler(Side.Database)), Side.Database, settings ?? ReadSideOptions.FastSettings, log);

    /// <summary>A few accounts with deposits; returns the last ordering and the number of events.</summary>
    protected async Task<(long Last, int Events)> WriteSomeAsync(int accounts = 3, int depositsEach = 4)
    {
        var commands = new List<Bank.Domain.AccountCommand>();
        for (var a = 0; a < accounts; a++) commands.Add(Writer.Open($"p-{a}", initialDeposit: 1m)); // 2 events each
        for (var d = 0; d < depositsEach; d++)
        {
            for (var a = 0; a < accounts; a++) commands.Add(Writer.Deposit($"p-{a}", 0.5m));
        }
        var last = await Writer.SendAllAsync(commands);
        return (last, accounts * (2 + depositsEach));
    }
}

public sealed class SqliteProjectionSpecs : ProjectionSpecs
{
    protected override Task<ReadSide> CreateReadSideAsync() => ReadSide.SqliteAsync();
}

/// <summary>The projection with its read model in a SQLite file of its own, the journal's file attached (the host's layout).</summary>
public sealed class SqliteOwnFileProjectionSpecs : ProjectionSpecs
{
    protected override Task<ReadSide> CreateReadSideAsync() => ReadSide.SqliteAsync(readModelFile: true);
}

[Collection(PostgresProjectionCollection.Name)]
public sealed class PostgresProjectionSpecs(PostgresServer server) : ProjectionSpecs
{
    protected override Task<ReadSide> CreateReadSideAsync() => ReadSide.PostgresAsync(server);
}
