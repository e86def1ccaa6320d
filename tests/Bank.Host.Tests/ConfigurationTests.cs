using System.Text.RegularExpressions;
using Bank.Actors.Accounts;
using Bank.Host.Hosting;
using Bank.Host.Http;

namespace Bank.Host.Tests;

/// <summary>hocon/*.conf as the host reads them (<see cref="BankHocon"/>), without starting a host.</summary>
public sealed partial class ConfigurationTests
{
    private static readonly string HoconDirectory = Path.Combine(AppContext.BaseDirectory, "hocon");

    [Fact]
    public void The_configuration_files_are_copied_beside_the_binary()
    {
        Assert.True(File.Exists(Path.Combine(HoconDirectory, "bank.conf")));
        Assert.True(File.Exists(Path.Combine(HoconDirectory, "postgres.conf")));
        Assert.Equal(Path.Combine(HoconDirectory, "bank.conf"), BankHocon.Load().Files[0]);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("postgres.conf")]
    [InlineData(" postgres ")]
    public void BANK_CONFIG_names_a_file_in_hocon(string name) =>
        Assert.Equal(Path.Combine(HoconDirectory, "postgres.conf"), BankHocon.ResolveFile(name, HoconDirectory));

    [Fact]
    public void BANK_CONFIG_can_be_a_path()
    {
        var path = Path.Combine(HoconDirectory, "bank.conf");
        Assert.Equal(path, BankHocon.ResolveFile(path, HoconDirectory));
    }

    [Fact]
    public void An_unknown_configuration_is_refused_with_the_known_ones()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BankHocon.ResolveFile("staging", HoconDirectory));
        Assert.Contains("staging.conf", error.Message);
        Assert.Contains("bank, cluster, postgres", error.Message);
    }

    [Fact]
    public void The_shipped_bank_conf_gives_the_documented_settings()
    {
        var hocon = BankHocon.Load();
        Assert.Equal(JournalKind.Sqlite, hocon.Journal);
        Assert.Equal("Data Source=./data/bank.db", hocon.ConnectionString);

        var accounts = AccountSettings.From(hocon.Config.GetConfig("bank.accounts"));
        Assert.Equal(new AccountSettings { SnapshotEvery = 1000, KeepSnapshots = 2, PassivateAfter = TimeSpan.FromMinutes(2), IdempotencyWindow = 1000, Shards = 100 }, accounts);

        Assert.Equal(new BankHttpSettings { Host = "localhost", Port = 5000, MaxBodySize = 64 * 1024, AskTimeout = TimeSpan.FromSeconds(5) }, BankHttpSettings.From(hocon.Config));
        Assert.Equal("SQLite.MS", hocon.Config.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.Equal("Data Source=./data/bank.db", hocon.Config.GetString("akka.persistence.journal.sql.connection-string"));
    }

    [Fact]
    public void Overrides_win_over_the_files_and_their_substitutions_see_them()
    {
        var hocon = BankHocon.Load("""
            bank.sqlite.connection-string = "Data Source=/tmp/elsewhere.db"
            bank.accounts { snapshot-every = 7, ask-timeout = 250ms }
            bank.http.max-body-size = 1KiB
            """);
        Assert.Equal("Data Source=/tmp/elsewhere.db", hocon.ConnectionString);
        foreach (var plugin in new[] { "journal.sql", "snapshot-store.sql", "query.journal.sql" })
            Assert.Equal("Data Source=/tmp/elsewhere.db", hocon.Config.GetString($"akka.persistence.{plugin}.connection-string"));
        Assert.Equal(7, AccountSettings.From(hocon.Config.GetConfig("bank.accounts")).SnapshotEvery);
        var http = BankHttpSettings.From(hocon.Config);
        Assert.Equal((1024L, TimeSpan.FromMilliseconds(250)), (http.MaxBodySize, http.AskTimeout));
    }

    [Fact]
    public void Postgres_conf_points_every_plugin_at_PostgreSQL()
    {
        var text = File.ReadAllText(Path.Combine(HoconDirectory, "postgres.conf")) + "\nbank.postgres.connection-string = \"Host=db;Database=bank\"";
        var hocon = BankHocon.Load(text);
        Assert.Equal(JournalKind.Postgres, hocon.Journal);
        Assert.Equal("Host=db;Database=bank", hocon.ConnectionString);
        foreach (var plugin in new[] { "journal.sql", "snapshot-store.sql", "query.journal.sql" })
        {
            Assert.Equal("PostgreSQL.15", hocon.Config.GetString($"akka.persistence.{plugin}.provider-name"));
            Assert.Equal("Host=db;Database=bank", hocon.Config.GetString($"akka.persistence.{plugin}.connection-string"));
            Assert.Equal("unspecified", hocon.Config.GetString($"akka.persistence.{plugin}.read-isolation-level"));
        }
    }

    [Fact]
    public void On_SQLite_every_plugin_reads_without_taking_the_write_lock()
    {
        // Microsoft.Data.Sqlite begins "unspecified" transactions IMMEDIATE (the write lock); read-uncommitted ones deferred.
        var hocon = BankHocon.Load();
        foreach (var plugin in new[] { "journal.sql", "snapshot-store.sql", "query.journal.sql" })
            Assert.Equal("read-uncommitted", hocon.Config.GetString($"akka.persistence.{plugin}.read-isolation-level"));
    }

    [Theory]
    [InlineData("bank.journal = oracle", "bank.journal")]
    [InlineData("bank.http.port = 70000", "bank.http.port")]
    [InlineData("bank.accounts.ask-timeout = 0s", "bank.accounts.ask-timeout")]
    [InlineData("bank.accounts.keep-snapshots = 0", "bank.accounts.keep-snapshots")]
    [InlineData("bank.accounts.shards = 0", "bank.accounts.shards")]
    public void A_bad_setting_is_refused_naming_its_key(string setting, string key)
    {
        var error = Assert.ThrowsAny<Exception>(() =>
        {
            var hocon = BankHocon.Load(setting);
            _ = hocon.Journal;
            BankHttpSettings.From(hocon.Config);
            AccountSettings.From(hocon.Config.GetConfig("bank.accounts"));
        });
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Unreadable_HOCON_is_refused_naming_the_files()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BankHocon.Load("bank.http.port = ${no-such-setting}"));
        Assert.Contains("bank.conf", error.Message);
    }

    [Fact]
    public void Every_environment_variable_bank_conf_names_is_applied_to_its_key()
    {
        var named = EnvComment().Matches(File.ReadAllText(Path.Combine(HoconDirectory, "bank.conf")))
            .Select(m => (Variable: m.Groups["variable"].Value, Key: m.Groups["key"].Value))
            .ToList();
        Assert.NotEmpty(named);
        foreach (var (variable, key) in named)
        {
            Assert.True(BankHocon.EnvironmentVariables.TryGetValue(variable, out var path), $"bank.conf names {variable}, which the host does not apply.");
            Assert.EndsWith(key, path);
        }
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

    /// <summary>A key and the variable its comment names: <c>port = 5000 # env: BANK_PORT</c>.</summary>
    [GeneratedRegex(@"(?<key>[\w-]+)\s*=\s*[^#\n]+#\s*env:\s*(?<variable>[A-Z_]+)")]
    private static partial Regex EnvComment();
}
