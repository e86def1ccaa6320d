using Actors.Hosting;
using Actors.Hosting.Hocon;
using Actors.Persistence.Query.Projections;
using Bank.Host.Hosting;
using Bank.Host.Http;
using Microsoft.Extensions.Configuration;

namespace Bank.Host.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public void The_configuration_files_are_copied_beside_the_binary()
    {
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "hocon", "bank.conf"), BankConfiguration.ResolveFile(null));
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "hocon", "postgres.conf")));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("postgres.conf")]
    [InlineData(" postgres ")]
    public void BANK_CONFIG_names_a_file_in_hocon(string name) =>
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "hocon", "postgres.conf"), BankConfiguration.ResolveFile(name));

    [Fact]
    public void BANK_CONFIG_can_be_a_path()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "hocon", "bank.conf");
        Assert.Equal(path, BankConfiguration.ResolveFile(path));
    }

    [Fact]
    public void An_unknown_configuration_is_refused_with_the_known_ones()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BankConfiguration.ResolveFile("staging"));
        Assert.Contains("staging.conf", error.Message);
        Assert.Contains("bank, postgres", error.Message);
    }

    [Fact]
    public void The_shipped_bank_conf_gives_the_documented_settings()
    {
        var configuration = new ConfigurationBuilder().AddHoconFile(BankConfiguration.ResolveFile(null)).Build();

        var accounts = BankHostServiceCollectionExtensions.ReadAccountSettings(configuration);
        Assert.Equal(100, accounts.SnapshotEvery);
        Assert.Equal(2, accounts.KeepSnapshots);
        Assert.Equal(TimeSpan.FromMinutes(2), accounts.PassivateAfter);
        Assert.Equal(1000, accounts.IdempotencyWindow);

        var http = BankHttpSettings.From(configuration);
        Assert.Equal(64 * 1024, http.MaxBodySize);
        Assert.Equal(TimeSpan.FromSeconds(5), http.AskTimeout);
    }

    [Fact]
    public void The_command_line_overrides_the_file()
    {
        var fromFile = new ConfigurationBuilder().AddBankConfiguration([]).Build();
        Assert.Equal(64 * 1024, BankHttpSettings.From(fromFile).MaxBodySize);

        var overridden = new ConfigurationBuilder().AddBankConfiguration(["--bank:http:max-body-size=1KiB", "--actors:persistence:journal:provider=inmemory"]).Build();
        Assert.Equal(1024, BankHttpSettings.From(overridden).MaxBodySize);
        Assert.Equal("inmemory", overridden["actors:persistence:journal:provider"]);
    }

    [Fact]
    public void Settings_are_read_from_their_keys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["bank:accounts:snapshot-every"] = "7",
            ["bank:accounts:keep-snapshots"] = "3",
            ["bank:accounts:passivate-after"] = "30s",
            ["bank:accounts:idempotency-window"] = "50",
            ["bank:accounts:ask-timeout"] = "250ms",
            ["bank:http:max-body-size"] = "1KiB",
        }).Build();

        Assert.Equal(new Bank.Actors.AccountSettings { SnapshotEvery = 7, KeepSnapshots = 3, PassivateAfter = TimeSpan.FromSeconds(30), IdempotencyWindow = 50 },
            BankHostServiceCollectionExtensions.ReadAccountSettings(configuration));
        Assert.Equal(new BankHttpSettings { MaxBodySize = 1024, AskTimeout = TimeSpan.FromMilliseconds(250) }, BankHttpSettings.From(configuration));
    }

    [Fact]
    public void The_shipped_bank_conf_gives_the_documented_read_side_settings()
    {
        var configuration = new ConfigurationBuilder().AddHoconFile(BankConfiguration.ResolveFile(null)).Build();

        var readModel = BankReadModelSettings.From(configuration);
        Assert.Equal(10000, readModel.Projection.MaxBatchSize);
        Assert.Equal(10000, readModel.Projection.BufferSize);
        Assert.Equal(TimeSpan.FromMilliseconds(500), readModel.Projection.MinBackoff);
        Assert.Equal(TimeSpan.FromSeconds(30), readModel.Projection.MaxBackoff);
        Assert.Equal(TimeSpan.FromSeconds(5), readModel.Projection.ProgressLogInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), readModel.ReadYourWritesTimeout);

        var query = QueryStores.ReadOptions(configuration);
        Assert.Equal(500, query.PageSize);
        Assert.Equal(TimeSpan.FromSeconds(1), query.PollInterval);
        Assert.True(query.ListenForNotifications);
    }

    [Fact]
    public void Read_side_settings_are_read_from_their_keys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["bank:read-model:max-batch-size"] = "50",
            ["bank:read-model:buffer-size"] = "100",
            ["bank:read-model:min-backoff"] = "10ms",
            ["bank:read-model:max-backoff"] = "2s",
            ["bank:read-model:progress-log-interval"] = "1s",
            ["bank:read-model:read-your-writes-timeout"] = "0s",
            ["actors:persistence:query:page-size"] = "20",
            ["actors:persistence:query:poll-interval"] = "250ms",
            ["actors:persistence:query:listen-for-notifications"] = "false",
        }).Build();

        var readModel = BankReadModelSettings.From(configuration);
        Assert.Equal(new ProjectionSettings
        {
            MaxBatchSize = 50, BufferSize = 100, MinBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromSeconds(2),
            ProgressLogInterval = TimeSpan.FromSeconds(1),
        }, readModel.Projection);
        Assert.Equal(TimeSpan.Zero, readModel.ReadYourWritesTimeout);

        var query = QueryStores.ReadOptions(configuration);
        Assert.Equal(20, query.PageSize);
        Assert.Equal(TimeSpan.FromMilliseconds(250), query.PollInterval);
        Assert.False(query.ListenForNotifications);
    }

    [Theory]
    [InlineData("bank:read-model:max-batch-size", "0")]
    [InlineData("bank:read-model:max-backoff", "1ms")]
    [InlineData("bank:read-model:read-your-writes-timeout", "1h")]
    [InlineData("actors:persistence:query:page-size", "0")]
    [InlineData("actors:persistence:query:poll-interval", "0s")]
    public void Bad_read_side_settings_are_refused_naming_the_key(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            BankReadModelSettings.From(configuration);
            QueryStores.ReadOptions(configuration);
        });
        Assert.Contains(key.StartsWith("bank", StringComparison.Ordinal) ? "bank:read-model" : key, error.Message);
    }

    [Fact]
    public void Idempotency_keys_map_to_command_ids_deterministically()
    {
        var a = IdempotencyKey.Parse("order-42", out var noRejection);
        Assert.Null(noRejection);
        Assert.Equal(a.CommandId(), IdempotencyKey.Parse("order-42", out _).CommandId());
        Assert.NotEqual(a.CommandId(), IdempotencyKey.Parse("order-43", out _).CommandId());
        Assert.NotEqual(Guid.Empty, a.CommandId());
        Assert.Equal(a.NewAccountId(), IdempotencyKey.Parse("order-42", out _).NewAccountId());
        Assert.Null(Bank.Domain.AccountRules.ValidateAccountId(a.NewAccountId()));

        var none = IdempotencyKey.Parse(null, out var rejection);
        Assert.Null(rejection);
        Assert.False(none.IsPresent);
        Assert.NotEqual(none.CommandId(), none.CommandId());
        Assert.NotEqual(none.NewAccountId(), none.NewAccountId());

        IdempotencyKey.Parse("", out var empty);
        IdempotencyKey.Parse(new string('x', 201), out var tooLong);
        Assert.Equal("Idempotency-Key", empty?.Field);
        Assert.Equal("Idempotency-Key", tooLong?.Field);
    }
}
