using System.Globalization;
using System.Net;
using System.Text.Json;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bank.Host.Tests;

/// <summary>GET /events/stream: the journal's events as server-sent events, from the read journal of every database.</summary>
public abstract class EventStreamScenarios(DatabaseFixture fixture) : HostScenario(fixture)
{
    [Fact]
    public async Task The_event_stream_resumes_after_Last_Event_ID_with_exactly_the_following_events()
    {
        var id = BankHttp.NewAccountId();
        var opened = await OpenAsync(id, "Streamer");
        List<long> offsets = [opened];
        for (var i = 1; i <= 4; i++) offsets.Add(await MoneyAsync(id, "deposits", i));

        List<ReceivedEvent> first;
        await using (var stream = await EventStream.ConnectAsync(Client, lastEventId: (opened - 1).ToString(CultureInfo.InvariantCulture)))
            first = await stream.TakeAsync(3);
        Assert.Equal(offsets.Take(3), first.Select(e => e.Id));
        Assert.Equal(["bank.account-opened.v2", "bank.money-deposited.v1", "bank.money-deposited.v1"], first.Select(e => e.Type));
        var opening = first[0].Data;
        Assert.Equal(opened, opening.GetProperty("offset").GetInt64());
        Assert.Equal(id, opening.GetProperty("persistenceId").GetString());
        Assert.Equal(1, opening.GetProperty("sequenceNr").GetInt64());
        Assert.Equal("bank.account-opened.v2", opening.GetProperty("type").GetString());
        Assert.Contains("account", opening.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.True(opening.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
        Assert.Equal("Streamer", opening.GetProperty("event").GetProperty("owner").GetString());
        Assert.Equal(1m, first[1].Data.GetProperty("event").GetProperty("amount").GetDecimal());
        Assert.Equal(2, first[1].Data.GetProperty("sequenceNr").GetInt64());

        await using var resumed = await EventStream.ConnectAsync(Client, lastEventId: first[^1].Id.ToString(CultureInfo.InvariantCulture));
        var rest = await resumed.TakeAsync(2);
        Assert.Equal(offsets.Skip(3), rest.Select(e => e.Id));
        Assert.Equal([3m, 4m], rest.Select(e => e.Data.GetProperty("event").GetProperty("amount").GetDecimal()));
        Assert.Equal([6m, 10m], rest.Select(e => e.Data.GetProperty("event").GetProperty("balanceAfter").GetDecimal()));
        Assert.True(await resumed.StaysQuietAsync(TimeSpan.FromMilliseconds(500)), "An event beyond the last write arrived.");
    }

    [Fact]
    public async Task The_event_stream_is_live()
    {
        var id = BankHttp.NewAccountId();
        var opened = await OpenAsync(id, "Live");
        await using var stream = await EventStream.ConnectAsync(Client, query: $"?offset={opened}");
        var deposited = await MoneyAsync(id, "deposits", 7.77m);
        var withdrawn = await MoneyAsync(id, "withdrawals", 0.77m);

        var events = await stream.TakeAsync(2);
        Assert.Equal([deposited, withdrawn], events.Select(e => e.Id));
        Assert.Equal(["bank.money-deposited.v1", "bank.money-withdrawn.v1"], events.Select(e => e.Type));
        Assert.Equal(7m, events[1].Data.GetProperty("event").GetProperty("balanceAfter").GetDecimal());
    }

    protected async Task<long> OpenAsync(string id, string owner) =>
        (await (await Client.PostJsonAsync("/accounts", JsonSerializer.Serialize(new { accountId = id, owner }))).ExpectAsync(HttpStatusCode.Created)).Offset();

    protected async Task<long> MoneyAsync(string id, string kind, decimal amount) =>
        (await (await Client.PostJsonAsync($"/accounts/{id}/{kind}", JsonSerializer.Serialize(new { amount }))).ExpectAsync(HttpStatusCode.OK)).Offset();
}

/// <summary>The stream on SQLite, and its edges (which do not depend on the database).</summary>
public sealed class SqliteEventStreamScenarios(DatabaseFixture fixture) : EventStreamScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    public async Task A_bad_Last_Event_ID_is_400(string lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/events/stream");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        await (await Client.SendAsync(request)).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "Last-Event-ID");
    }

    [Fact]
    public async Task A_negative_stream_offset_is_400() =>
        await (await Client.GetAsync("/events/stream?offset=-1")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "offset");

    [Fact]
    public async Task Last_Event_ID_wins_over_the_offset_query()
    {
        var id = BankHttp.NewAccountId();
        var opened = await OpenAsync(id, "Resume");
        var deposit = await MoneyAsync(id, "deposits", 1m);

        // An EventSource reconnects to the same URL (with its ?offset=) and adds the id of the last event it got.
        await using var stream = await EventStream.ConnectAsync(Client, lastEventId: opened.ToString(CultureInfo.InvariantCulture), query: "?offset=0");
        var next = await stream.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(deposit, next?.Id);
    }

    [Fact]
    public async Task Streamed_events_carry_the_event_as_JSON()
    {
        var id = BankHttp.NewAccountId();
        var opened = await (await Client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Json","currency":"CHF","initialDeposit":0.5}""")).ExpectAsync(HttpStatusCode.Created);
        await using var stream = await EventStream.ConnectAsync(Client, lastEventId: (opened.Offset() - 2).ToString(CultureInfo.InvariantCulture));
        var events = await stream.TakeAsync(2);

        var opening = events[0].Data.GetProperty("event");
        Assert.Equal(JsonValueKind.Object, opening.ValueKind);
        Assert.Equal(id, opening.GetProperty("accountId").GetString());
        Assert.Equal("CHF", opening.GetProperty("currency").GetString());
        Assert.Equal(Host.Clock.Now, opening.GetProperty("at").GetDateTimeOffset());
        var deposit = events[1].Data.GetProperty("event");
        Assert.Equal("0.50", deposit.GetProperty("amount").GetRawText());
        Assert.Equal("0.50", deposit.GetProperty("balanceAfter").GetRawText());
        Assert.Equal(deposit.GetProperty("commandId").GetString(), opening.GetProperty("commandId").GetString());
    }

    [Fact]
    public async Task The_event_stream_ends_when_the_host_stops()
    {
        await using var database = SqliteDatabase.Create();
        await using var host = new BankFactory(database);
        using var client = host.CreateClient();
        await (await client.PostJsonAsync("/accounts", """{"owner":"Bye"}""")).ExpectAsync(HttpStatusCode.Created);
        await using var stream = await EventStream.ConnectAsync(client);
        Assert.NotNull(await stream.NextAsync(TimeSpan.FromSeconds(10)));

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        Assert.Null(await stream.NextAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_client_that_disconnects_ends_its_stream_on_the_server()
    {
        var tracker = new StreamRequests();
        await using var database = SqliteDatabase.Create();
        await using var host = new BankFactory(database, services: services => services.AddSingleton<IStartupFilter>(tracker));
        using var client = host.CreateClient();
        await (await client.PostJsonAsync("/accounts", """{"owner":"Gone"}""")).ExpectAsync(HttpStatusCode.Created);

        var stream = await EventStream.ConnectAsync(client);
        Assert.NotNull(await stream.NextAsync(TimeSpan.FromSeconds(10)));
        Assert.False(tracker.Ended.IsCompleted);

        await stream.DisposeAsync();
        await tracker.Ended.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresEventStreamScenarios(PostgresServer server, DatabaseFixture fixture) : EventStreamScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server);
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
