using System.Globalization;
using System.Net;
using System.Text.Json;
using Actors.Persistence.Query.Projections;
using Bank.Host.Hosting;
using Bank.Host.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bank.Host.Tests;

/// <summary>A host on the in-memory journal whose read model may be made to lag: its projection can be stopped, and minOffset waits only 300 ms.</summary>
public sealed class LaggingReadModelFixture : IDisposable
{
    public BankFactory Factory { get; } = BankFactory.InMemory(extra: new Dictionary<string, string?>
    {
        ["bank:read-model:read-your-writes-timeout"] = "300ms",
    });

    public BankReadSide ReadSide => Factory.Services.GetRequiredService<BankReadSide>();

    public void Dispose() => Factory.Dispose();
}

/// <summary>The read side's behaviour that does not depend on the journal: lag, the in-memory read model, the stream's edges.</summary>
public sealed class ReadSideTests(LaggingReadModelFixture fixture) : IClassFixture<LaggingReadModelFixture>, IAsyncLifetime
{
    private readonly HttpClient _client = fixture.Factory.CreateClient();

    public Task InitializeAsync() => fixture.ReadSide.Accounts.StartAsync();

    public async Task DisposeAsync()
    {
        await fixture.ReadSide.Accounts.StartAsync(); // a test that stopped it must not leave it stopped
        _client.Dispose();
    }

    [Fact]
    public async Task The_in_memory_journal_has_a_read_model_too()
    {
        var id = BankHttp.NewAccountId();
        var opened = await (await _client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Mem","initialDeposit":12.34}""")).ExpectAsync(HttpStatusCode.Created);
        var page = await (await _client.GetAsync($"/accounts/{id}/transactions?minOffset={opened.GetProperty("offset").GetInt64()}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(12.34m, Assert.Single(page.GetProperty("transactions").EnumerateArray()).GetProperty("balanceAfter").GetDecimal());
    }

    [Fact]
    public async Task A_read_model_that_does_not_catch_up_in_time_is_503_with_Retry_After_and_queries_without_minOffset_answer_at_once()
    {
        var owner = "Lag " + Guid.NewGuid().ToString("N")[..8];
        var id = BankHttp.NewAccountId();
        var opened = await (await _client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"{{owner}}"}""")).ExpectAsync(HttpStatusCode.Created);
        await (await _client.GetAsync($"/stats?minOffset={opened.GetProperty("offset").GetInt64()}")).ExpectAsync(HttpStatusCode.OK);

        await fixture.ReadSide.Accounts.StopAsync();
        var deposit = await (await _client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":5}""")).ExpectAsync(HttpStatusCode.OK);
        var offset = deposit.GetProperty("offset").GetInt64();

        foreach (var url in new[] { $"/stats?minOffset={offset}", $"/accounts?owner={Uri.EscapeDataString(owner)}&minOffset={offset}", $"/accounts/{id}/transactions?minOffset={offset}" })
        {
            var response = await _client.GetAsync(url);
            var problem = await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "read-model-behind");
            Assert.Equal("minOffset", problem.GetProperty("field").GetString());
            Assert.Equal(offset, problem.GetProperty("minOffset").GetInt64());
            Assert.True(problem.GetProperty("readModelOffset").GetInt64() < offset);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        }

        // Without minOffset: the read model as it is, a version behind.
        var stale = await (await _client.GetAsync($"/accounts?owner={Uri.EscapeDataString(owner)}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0m, Assert.Single(stale.GetProperty("accounts").EnumerateArray()).Balance());

        var stopped = await (await _client.GetAsync("/projections/bank-accounts")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("stopped", stopped.GetProperty("state").GetString());
        Assert.True(stopped.GetProperty("eventsBehind").GetInt64() >= 1);

        await fixture.ReadSide.Accounts.StartAsync();
        var fresh = await (await _client.GetAsync($"/accounts?owner={Uri.EscapeDataString(owner)}&minOffset={offset}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(5m, Assert.Single(fresh.GetProperty("accounts").EnumerateArray()).Balance());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    public async Task A_bad_Last_Event_ID_is_400(string lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/events/stream");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        await (await _client.SendAsync(request)).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "Last-Event-ID");
    }

    [Fact]
    public async Task A_negative_stream_offset_is_400() =>
        await (await _client.GetAsync("/events/stream?offset=-1")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "offset");

    [Fact]
    public async Task Last_Event_ID_wins_over_the_offset_query()
    {
        var id = BankHttp.NewAccountId();
        var opened = await (await _client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Resume"}""")).ExpectAsync(HttpStatusCode.Created);
        var deposit = await (await _client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1}""")).ExpectAsync(HttpStatusCode.OK);
        var first = opened.GetProperty("offset").GetInt64();

        // An EventSource reconnects to the same URL (with its ?offset=) and adds the id of the last event it got.
        await using var stream = await EventStream.ConnectAsync(_client, lastEventId: first.ToString(CultureInfo.InvariantCulture), query: "?offset=0");
        var next = await stream.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(deposit.GetProperty("offset").GetInt64(), next?.Id);
    }

    [Fact]
    public async Task The_event_stream_ends_when_the_host_stops()
    {
        using var factory = BankFactory.InMemory();
        using var client = factory.CreateClient();
        await (await client.PostJsonAsync("/accounts", """{"owner":"Bye"}""")).ExpectAsync(HttpStatusCode.Created);
        await using var stream = await EventStream.ConnectAsync(client);
        Assert.NotNull(await stream.NextAsync(TimeSpan.FromSeconds(10)));

        factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Null(await stream.NextAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_client_that_disconnects_ends_its_stream_on_the_server()
    {
        var tracker = new StreamRequests();
        using var factory = BankFactory.InMemory(services => services.AddSingleton<IStartupFilter>(tracker));
        using var client = factory.CreateClient();
        await (await client.PostJsonAsync("/accounts", """{"owner":"Gone"}""")).ExpectAsync(HttpStatusCode.Created);

        var stream = await EventStream.ConnectAsync(client);
        Assert.NotNull(await stream.NextAsync(TimeSpan.FromSeconds(10)));
        Assert.False(tracker.Ended.IsCompleted);

        await stream.DisposeAsync();
        await tracker.Ended.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_projection_runs_with_the_host_and_stops_with_it()
    {
        var factory = BankFactory.InMemory();
        var readSide = factory.Services.GetRequiredService<BankReadSide>();
        Assert.Equal(ProjectionState.Running, readSide.Accounts.State);

        await factory.DisposeAsync();
        Assert.Equal(ProjectionState.Stopped, readSide.Accounts.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => readSide.ReadJournal.HighestOffsetAsync());
    }

    [Fact]
    public async Task Streamed_events_carry_the_event_as_JSON()
    {
        var id = BankHttp.NewAccountId();
        var opened = await (await _client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Json","currency":"CHF","initialDeposit":0.5}""")).ExpectAsync(HttpStatusCode.Created);
        var last = opened.GetProperty("offset").GetInt64();
        await using var stream = await EventStream.ConnectAsync(_client, lastEventId: (last - 2).ToString(CultureInfo.InvariantCulture));
        var events = await stream.TakeAsync(2);

        var opening = events[0].Data.GetProperty("event");
        Assert.Equal(JsonValueKind.Object, opening.ValueKind);
        Assert.Equal(id, opening.GetProperty("accountId").GetString());
        Assert.Equal("CHF", opening.GetProperty("currency").GetString());
        Assert.Equal(Factory.Clock.Now, opening.GetProperty("at").GetDateTimeOffset());
        var deposit = events[1].Data.GetProperty("event");
        Assert.Equal(0.5m, deposit.GetProperty("amount").GetDecimal());
        Assert.Equal(0.5m, deposit.GetProperty("balanceAfter").GetDecimal());
        Assert.Equal(deposit.GetProperty("commandId").GetString(), opening.GetProperty("commandId").GetString());
    }

    private BankFactory Factory => fixture.Factory;
}

/// <summary>Completes <see cref="Ended"/> when a request to /events/stream has finished on the server.</summary>
internal sealed class StreamRequests : IStartupFilter
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Ended => _ended.Task;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                if (context.Request.Path == "/events/stream") _ended.TrySetResult();
            }
        });
        next(app);
    };
}
