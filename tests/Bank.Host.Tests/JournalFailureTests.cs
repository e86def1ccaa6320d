using System.Net;
using Actors.Hosting;
using Actors.Persistence.InMemory;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Bank.Host.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Bank.Host.Tests;

/// <summary>A host whose journal can fail, be taken down or paused (in memory, behind <see cref="FaultyJournal"/>).</summary>
public sealed class FaultyBankFixture : IDisposable
{
    public FaultyBankFixture()
    {
        Factory = BankFactory.InMemory(
            services =>
            {
                services.AddSingleton(sp =>
                {
                    var serializer = sp.GetRequiredService<IEventSerializer>();
                    return new JournalStores("faulty", new FaultyJournal(new InMemoryJournal(serializer)), new InMemorySnapshotStore(serializer), _ => Task.CompletedTask);
                });
                // The faulty wrapper has no read journal of its own: the read side reads the journal it wraps.
                services.AddSingleton(sp => QueryStores.InMemory(((FaultyJournal)sp.GetRequiredService<IJournal>()).Inner));
            },
            new Dictionary<string, string?> { ["bank:accounts:ask-timeout"] = "1s" });
    }

    public BankFactory Factory { get; }

    public FaultyJournal Journal => (FaultyJournal)Factory.Services.GetRequiredService<IJournal>();

    public void Dispose() => Factory.Dispose();
}

/// <summary>The client never gets a 2xx for a write that did not become durable, and a failure changes nothing.</summary>
public sealed class JournalFailureTests : IClassFixture<FaultyBankFixture>, IDisposable
{
    private readonly FaultyBankFixture _fixture;
    private readonly HttpClient _client;

    public JournalFailureTests(FaultyBankFixture fixture)
    {
        _fixture = fixture;
        _client = fixture.Factory.CreateClient();
        Reset();
    }

    private FaultyJournal Journal => _fixture.Journal;

    public void Dispose()
    {
        Reset();
        _client.Dispose();
    }

    private void Reset()
    {
        Journal.IsDown = false;
        Journal.Inner.ClearFaults();
        Journal.Inner.ResumeWrites();
    }

    [Fact]
    public async Task A_deposit_the_journal_fails_to_write_is_503_and_changes_nothing()
    {
        var id = await OpenAsync(10m);
        Journal.Inner.FailNextWrite(persistenceId: id);

        var problem = await (await _client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":5}""", "k-" + id))
            .ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");
        Assert.Contains("Idempotency-Key", problem.GetProperty("detail").GetString());

        var account = await (await _client.GetAsync($"/accounts/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((10m, 2L), (account.Balance(), account.Version()));
        Assert.Equal(2, await CountEventsAsync(id));

        var retried = await (await _client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":5}""", "k-" + id)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(15m, retried.Balance());
        Assert.Equal(3, await CountEventsAsync(id));
    }

    [Fact]
    public async Task An_open_the_journal_fails_to_write_is_503_and_the_account_does_not_exist()
    {
        var id = BankHttp.NewAccountId();
        Journal.Inner.FailNextWrite(persistenceId: id);

        await (await _client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Zoe","initialDeposit":1}"""))
            .ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");

        await (await _client.GetAsync($"/accounts/{id}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await _client.GetAsync($"/accounts/{id}/events")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_journal_that_is_down_gives_503_for_writes_reads_and_readiness_but_not_liveness()
    {
        var id = await OpenAsync(20m);
        Journal.IsDown = true;

        await (await _client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":5}""")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");
        await (await _client.GetAsync($"/accounts/{id}")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");
        await (await _client.GetAsync($"/accounts/{id}/events")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");
        await (await _client.GetAsync($"/accounts/{id}?version=1")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");
        await (await _client.GetAsync("/health/ready")).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");
        await (await _client.GetAsync("/health/live")).ExpectAsync(HttpStatusCode.OK);

        Journal.IsDown = false;
        await (await _client.GetAsync("/health/ready")).ExpectAsync(HttpStatusCode.OK);
        var account = await (await _client.GetAsync($"/accounts/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((20m, 2L), (account.Balance(), account.Version()));
        Assert.Equal(2, await CountEventsAsync(id));
    }

    [Fact]
    public async Task A_write_that_times_out_is_503_and_a_retry_with_the_same_key_applies_it_once()
    {
        var id = await OpenAsync(0m);
        var key = "slow-" + id;
        Journal.Inner.PauseWrites();

        await (await _client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":7}""", key)).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");

        Journal.Inner.ResumeWrites();
        var retried = await (await _client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":7}""", key)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(7m, retried.Balance());
        Assert.Equal(2, await CountEventsAsync(id));
        var account = await (await _client.GetAsync($"/accounts/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((7m, 2L), (account.Balance(), account.Version()));
    }

    private async Task<string> OpenAsync(decimal initialDeposit)
    {
        var id = BankHttp.NewAccountId();
        await (await _client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Owner","initialDeposit":{{initialDeposit}}}""")).ExpectAsync(HttpStatusCode.Created);
        return id;
    }

    private async Task<int> CountEventsAsync(string id)
    {
        var page = await (await _client.GetAsync($"/accounts/{id}/events")).ExpectAsync(HttpStatusCode.OK);
        return page.GetProperty("events").GetArrayLength();
    }
}
