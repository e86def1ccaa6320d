using System.Net;
using Bank.Host.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Bank.Host.Tests;

/// <summary>
/// Only journal failures are 503. Anything else that escapes an endpoint (here a faulty dependency: the clock the host
/// was given throws) is a bug: 500 <c>internal</c> with a traceId, written to the log with its exception.
/// </summary>
public sealed class InternalErrorTests(DatabaseFixture fixture) : HostScenario(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());

    [Fact]
    public async Task Any_other_failure_is_500_internal_with_a_traceId_and_is_logged()
    {
        var id = await Client.OpenAsync(initialDeposit: 5m);
        var fault = new InvalidOperationException("The clock broke (injected by the test).");
        Host.Clock.Fault = fault;
        try
        {
            var problem = await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1}"""))
                .ExpectProblemAsync(HttpStatusCode.InternalServerError, "internal");
            var traceId = problem.GetProperty("traceId").GetString();
            Assert.False(string.IsNullOrWhiteSpace(traceId));
            Assert.DoesNotContain("clock", problem.Detail(), StringComparison.OrdinalIgnoreCase); // the cause is logged, not told

            var logged = Assert.Single(Host.Logs.Entries, e => ReferenceEquals(e.Exception, fault));
            Assert.Equal(LogLevel.Error, logged.Level);
            Assert.Equal("Bank.Host.Http.BankExceptionHandler", logged.Category);
            Assert.Contains($"/accounts/{id}/deposits", logged.Message);
            Assert.Contains("500", logged.Message);
        }
        finally
        {
            Host.Clock.Fault = null;
        }

        var account = await Client.GetAccountAsync(id);
        Assert.Equal((5m, 2L), (account.Balance(), account.Version()));
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1}""")).ExpectAsync(HttpStatusCode.OK);
    }
}
