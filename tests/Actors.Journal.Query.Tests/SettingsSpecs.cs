using Akka.Configuration;

namespace Actors.Journal.Query.Tests;

public sealed class SettingsSpecs
{
    [Fact]
    public void The_reference_config_is_the_fallback_of_the_plugin_section()
    {
        var settings = FastSqlReadJournalSettings.Create(ConfigurationFactory.ParseString(
            """
            provider = postgres
            connection-string = "Host=db;Database=bank"
            page-size = 250
            poll-interval = 300ms
            """));

        Assert.Equal(FastSqlProvider.Postgres, settings.Provider);
        Assert.Equal("Host=db;Database=bank", settings.ConnectionString);
        Assert.Equal(250, settings.PageSize);
        Assert.Equal(TimeSpan.FromMilliseconds(300), settings.PollInterval);
        Assert.True(settings.ListenForNotifications);
        Assert.True(settings.CreateTriggers);
        Assert.Equal("journal", settings.JournalTable);
        Assert.Equal("tags", settings.TagsTable);
        Assert.Null(settings.SchemaName);
    }

    [Fact]
    public void Provider_and_connection_string_come_from_the_write_plugin_when_not_set()
    {
        var root = ConfigurationFactory.ParseString(
            """
            akka.persistence.journal.sql { provider-name = "SQLite.MS", connection-string = "Data Source=bank.db" }
            akka.persistence.query.journal.fast-sql.write-plugin = "akka.persistence.journal.sql"
            """).WithFallback(FastSqlReadJournal.ReferenceConfiguration);

        var settings = FastSqlReadJournalSettings.Create(root.GetConfig(FastSqlReadJournal.Identifier), root);

        Assert.Equal(FastSqlProvider.Sqlite, settings.Provider);
        Assert.Equal("Data Source=bank.db", settings.ConnectionString);
        Assert.Equal("akka.persistence.journal.sql", settings.WritePlugin);
        Assert.Equal("Actors.Journal.Query.FastSqlReadJournalProvider, Actors.Journal.Query", root.GetString(FastSqlReadJournal.Identifier + ".class"));
    }

    [Theory]
    [InlineData("SQLite.MS", FastSqlProvider.Sqlite)]
    [InlineData("sqlite", FastSqlProvider.Sqlite)]
    [InlineData("PostgreSQL.15", FastSqlProvider.Postgres)]
    [InlineData("postgres", FastSqlProvider.Postgres)]
    public void Providers_are_named_like_linq2db_or_plainly(string name, FastSqlProvider expected) =>
        Assert.Equal(expected, FastSqlReadJournalSettings.ParseProvider(name));

    [Fact]
    public void Live_queries_read_at_every_wake_up_unless_a_min_read_interval_is_set()
    {
        var plain = FastSqlReadJournalSettings.Create(ConfigurationFactory.ParseString("provider = sqlite, connection-string = \"Data Source=a.db\""));
        var gathered = FastSqlReadJournalSettings.Create(ConfigurationFactory.ParseString(
            "provider = sqlite, connection-string = \"Data Source=a.db\", min-read-interval = 10ms"));

        Assert.Equal(TimeSpan.Zero, plain.MinReadInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(10), gathered.MinReadInterval);
    }

    [Fact]
    public void A_min_read_interval_longer_than_the_poll_interval_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FastSqlReadJournalSettings.Create(ConfigurationFactory.ParseString(
            "provider = sqlite, connection-string = \"Data Source=a.db\", poll-interval = 100ms, min-read-interval = 200ms")));

    [Fact]
    public void A_missing_connection_string_is_a_configuration_error() =>
        Assert.Throws<ConfigurationException>(() => FastSqlReadJournalSettings.Create(ConfigurationFactory.ParseString("provider = sqlite")));
}
