using Actors.Hosting.Hocon;

namespace Actors.Hosting.Tests.Hocon;

public sealed class HoconTypedGetterTests
{
    private static readonly HoconConfig Config = HoconConfig.Parse("""
        bank {
          name = demo
          port = 8080
          enabled = yes
          journal {
            provider = sqlite
            flush-interval = 250 milliseconds
          }
        }
        """);

    [Fact]
    public void Missing_key_without_a_default_throws_naming_the_path()
    {
        var error = Assert.Throws<HoconMissingPathException>(() => Config.GetString("bank.journal.path"));

        Assert.Equal("bank.journal.path", error.Path);
        Assert.Contains("'bank.journal.path'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_key_with_a_default_returns_the_default()
    {
        Assert.Equal("none", Config.GetString("bank.missing", "none"));
        Assert.Null(Config.GetString("bank.missing", null));
        Assert.Equal(42, Config.GetInt("bank.missing", 42));
        Assert.Equal(7L, Config.GetLong("bank.missing", 7L));
        Assert.True(Config.GetBool("bank.missing", true));
        Assert.Equal(1.5m, Config.GetDecimal("bank.missing", 1.5m));
        Assert.Equal(TimeSpan.FromSeconds(3), Config.GetTimeSpan("bank.missing", TimeSpan.FromSeconds(3)));
        Assert.Equal(1024L, Config.GetByteSize("bank.missing", 1024L));
        Assert.Equal(["x"], Config.GetStringList("bank.missing", ["x"]));
        Assert.Same(HoconConfig.Empty, Config.GetConfig("bank.missing", HoconConfig.Empty));
        Assert.Equal(8080, Config.GetInt("bank.port", 1));
    }

    [Fact]
    public void Value_of_the_wrong_type_names_the_path_and_its_location()
    {
        var error = Assert.Throws<HoconWrongTypeException>(() => Config.GetInt("bank.name"));

        Assert.Equal("bank.name", error.Path);
        Assert.Equal(2, error.Line);
        Assert.Equal(10, error.Column);
        Assert.Contains("should be an integer but is 'demo'", error.Message, StringComparison.Ordinal);
        Assert.Throws<HoconWrongTypeException>(() => Config.GetString("bank.journal"));
    }

    [Fact]
    public void GetConfig_returns_a_subtree_whose_errors_name_the_full_path()
    {
        var journal = Config.GetConfig("bank.journal");

        Assert.Equal("sqlite", journal.GetString("provider"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), journal.GetTimeSpan("flush-interval"));
        Assert.True(Config.GetBool("bank.enabled"));
        Assert.True(Config.HasPath("bank.journal.provider"));
        Assert.False(journal.HasPath("bank"));
        var error = Assert.Throws<HoconMissingPathException>(() => journal.GetInt("batch"));
        Assert.Equal("bank.journal.batch", error.Path);
    }

    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("100ms", 100)]
    [InlineData("2 minutes", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("250 milliseconds", 250)]
    [InlineData("3d", 259_200_000)]
    [InlineData("1.5 seconds", 1_500)]
    [InlineData("750", 750)]
    public void Durations_are_read_in_hocon_units(string written, long expectedMilliseconds)
    {
        var config = HoconConfig.Parse($"timeout = {written}");

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), config.GetTimeSpan("timeout"));
    }

    [Theory]
    [InlineData("64KB", 64_000)]
    [InlineData("64 KiB", 65_536)]
    [InlineData("10MB", 10_000_000)]
    [InlineData("1g", 1_073_741_824)]
    [InlineData("512", 512)]
    [InlineData("2 megabytes", 2_000_000)]
    public void Sizes_are_read_as_bytes(string written, long expectedBytes)
    {
        var config = HoconConfig.Parse($"buffer = {written}");

        Assert.Equal(expectedBytes, config.GetByteSize("buffer"));
    }
}
