using Actors.Hosting.Hocon;
using Microsoft.Extensions.Configuration;

namespace Actors.Hosting.Tests.Hocon;

public sealed class HoconConfigurationProviderTests
{
    private const string BankConf = """
        bank {
          journal.provider = sqlite
          journal.path = ./data/bank.db
          ask-timeout = 5s
          max-message = 64 KiB
          seeds = [alpha, beta]
          accounts = [{ id = a-1 }, { id = a-2 }]
          logging.level = Information
          secret = null
        }
        """;

    [Fact]
    public void Keys_are_flattened_with_colons()
    {
        using var directory = new TempConfigDirectory();
        var configuration = new ConfigurationBuilder().AddHoconFile(directory.Write("bank.conf", BankConf)).Build();

        Assert.Equal("sqlite", configuration["bank:journal:provider"]);
        Assert.Equal("./data/bank.db", configuration["bank:journal:path"]);
        Assert.Equal("Information", configuration.GetSection("bank").GetSection("logging")["level"]);
        Assert.Null(configuration["bank:secret"]);
    }

    [Fact]
    public void Lists_become_indexed_keys()
    {
        using var directory = new TempConfigDirectory();
        var configuration = new ConfigurationBuilder().AddHoconFile(directory.Write("bank.conf", BankConf)).Build();

        Assert.Equal("alpha", configuration["bank:seeds:0"]);
        Assert.Equal("beta", configuration["bank:seeds:1"]);
        Assert.Equal("a-2", configuration["bank:accounts:1:id"]);
        Assert.Equal(["0", "1"], configuration.GetSection("bank:seeds").GetChildren().Select(c => c.Key));
    }

    [Fact]
    public void Durations_and_sizes_keep_their_written_form()
    {
        using var directory = new TempConfigDirectory();
        var configuration = new ConfigurationBuilder().AddHoconFile(directory.Write("bank.conf", BankConf)).Build();

        Assert.Equal("5s", configuration["bank:ask-timeout"]);
        Assert.Equal("64 KiB", configuration["bank:max-message"]);
        Assert.Equal(TimeSpan.FromSeconds(5), HoconDurations.Parse(configuration["bank:ask-timeout"]!));
        Assert.Equal(65_536, HoconSizes.Parse(configuration["bank:max-message"]!));
    }

    [Fact]
    public void Environment_variables_added_after_the_hocon_file_override_it()
    {
        using var directory = new TempConfigDirectory();
        var file = directory.Write("bank.conf", BankConf);
        var prefix = EnvironmentVariableScope.UniqueName() + "_";
        using var provider = new EnvironmentVariableScope.Named(prefix + "BANK__JOURNAL__PROVIDER", "postgres");

        var configuration = new ConfigurationBuilder()
            .AddHoconFile(file)
            .AddEnvironmentVariables(prefix)
            .Build();

        Assert.Equal("postgres", configuration["bank:journal:provider"]);
        Assert.Equal("./data/bank.db", configuration["bank:journal:path"]);
    }

    [Fact]
    public void A_hocon_file_added_after_environment_variables_wins()
    {
        using var directory = new TempConfigDirectory();
        var file = directory.Write("bank.conf", BankConf);
        var prefix = EnvironmentVariableScope.UniqueName() + "_";
        using var provider = new EnvironmentVariableScope.Named(prefix + "BANK__JOURNAL__PROVIDER", "postgres");

        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables(prefix)
            .AddHoconFile(file)
            .Build();

        Assert.Equal("sqlite", configuration["bank:journal:provider"]);
    }

    [Fact]
    public void Includes_resolve_relative_to_the_loaded_file()
    {
        using var directory = new TempConfigDirectory();
        directory.Write("conf/defaults.conf", "bank.port = 8080\nbank.host = localhost");
        var file = directory.Write("conf/app.conf", "include \"defaults.conf\"\nbank.port = 9000");

        var configuration = new ConfigurationBuilder().AddHoconFile(file).Build();

        Assert.Equal("9000", configuration["bank:port"]);
        Assert.Equal("localhost", configuration["bank:host"]);
    }

    [Fact]
    public void A_missing_optional_file_is_skipped_and_a_missing_required_file_throws()
    {
        using var directory = new TempConfigDirectory();
        var missing = Path.Combine(directory.Path, "missing.conf");

        var configuration = new ConfigurationBuilder().AddHoconFile(missing, optional: true).Build();

        Assert.Empty(configuration.AsEnumerable());
        Assert.Throws<FileNotFoundException>(() => new ConfigurationBuilder().AddHoconFile(missing).Build());
    }

    [Fact]
    public void A_malformed_file_surfaces_the_parse_error()
    {
        using var directory = new TempConfigDirectory();
        var file = directory.Write("bad.conf", "bank {\n  port = \n}");

        var thrown = Assert.ThrowsAny<Exception>(() => new ConfigurationBuilder().AddHoconFile(file).Build());

        var error = FindInChain<HoconParseException>(thrown);
        Assert.Equal(file, error.FilePath);
        Assert.Equal(2, error.Line);
        Assert.Equal(10, error.Column);
    }

    private static T FindInChain<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        throw new Xunit.Sdk.XunitException($"Expected a {typeof(T).Name} in the exception chain but got: {exception}");
    }
}
