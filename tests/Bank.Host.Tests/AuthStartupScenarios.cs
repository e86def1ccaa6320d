using System.Net;
using Bank.Host.Auth;
using Bank.Host.Hosting;
using Bank.Host.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Bank.Host.Tests;

/// <summary>How the host starts with authentication (issue 14): the development key, the token command, BANK_AUTH=off.</summary>
public sealed class AuthStartupScenarios
{
    // No key of its own (the tests give every host theirs): the host falls back on the development key.
    private const string DevelopmentKey = "bank.auth.signing-key = \"\"";

    [Fact]
    public async Task The_host_refuses_to_start_in_Production_with_the_development_key()
    {
        await using var database = SqliteDatabase.Create();
        await using var factory = new BankFactory(database, DevelopmentKey);
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("development key", Flatten(error), StringComparison.Ordinal);
        Assert.Equal(0L, Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM sqlite_master WHERE name = 'journal'"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task In_Development_a_token_from_the_token_command_opens_the_door()
    {
        await using var database = SqliteDatabase.Create();
        await using var factory = new BankFactory(database, DevelopmentKey) { Environment = "Development" };
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = TokenCommand.Run(["token", "--sub", "ada", "--role", "customer", "--lifetime", "1h"], BankHocon.Load(), output, errors);
        Assert.True(exit == 0, errors.ToString());
        var token = output.ToString().Trim();

        using var ada = factory.CreateClient(token);
        var opened = await (await ada.PostJsonAsync("/accounts", """{"initialDeposit":3}""")).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("ada", opened.GetProperty("owner").GetString());
        // The tests' own key is not trusted by this host: the staff token is refused.
        using var staff = factory.CreateClient();
        await (await staff.GetAsync("/accounts")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("development key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "token", "--role", "customer" }, "--sub is required")]
    [InlineData(new[] { "token", "--sub", "ada" }, "--role is required")]
    [InlineData(new[] { "token", "--sub", "ada", "--role", "banker" }, "Unknown role 'banker'")]
    [InlineData(new[] { "token", "--sub", "ada", "--role", "customer", "--lifetime", "soon" }, "Unexpected argument '--lifetime'")]
    public void The_token_command_explains_what_is_missing(string[] args, string message)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        Assert.Equal(2, TokenCommand.Run(args, BankHocon.Load(), output, errors));
        Assert.Contains(message, errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage: token --sub", errors.ToString(), StringComparison.Ordinal);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task With_authentication_off_anyone_may_do_anything_and_the_log_says_so_loudly()
    {
        await using var database = SqliteDatabase.Create();
        await using var factory = new BankFactory(database, "bank.auth.enabled = off");
        using var anonymous = factory.CreateClient(token: null);

        var id = await anonymous.OpenAsync(initialDeposit: 5m, owner: "anyone");
        await (await anonymous.GetAsync("/projections")).ExpectAsync(HttpStatusCode.OK);
        var events = await anonymous.EventsAsync(id);
        Assert.All(events, e => Assert.False(e.TryGetProperty("issuedBy", out _), "An anonymous command has no issuer."));
        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("AUTHENTICATION IS OFF", StringComparison.Ordinal));
    }

    private static string Flatten(Exception error) => error.InnerException is null ? error.Message : error.Message + " " + Flatten(error.InnerException);
}
