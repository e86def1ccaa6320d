using Actors.Hosting.Hocon;

namespace Actors.Hosting.Tests.Hocon;

public sealed class HoconIncludeTests
{
    [Fact]
    public void Include_merges_a_file_relative_to_the_including_file()
    {
        using var directory = new TempConfigDirectory();
        directory.Write("conf/defaults.conf", "bank { journal { provider = sqlite, batch = 10 } }");
        var main = directory.Write("conf/app.conf", """
            include "defaults.conf"
            bank.journal.provider = postgres
            """);

        var config = HoconConfig.ParseFile(main);

        Assert.Equal("postgres", config.GetString("bank.journal.provider"));
        Assert.Equal(10, config.GetInt("bank.journal.batch"));
    }

    [Fact]
    public void Include_resolves_nested_includes_and_substitutions_across_files()
    {
        using var directory = new TempConfigDirectory();
        directory.Write("shared/ports.conf", "ports.http = 8080");
        directory.Write("base.conf", """
            include "shared/ports.conf"
            url = "http://localhost:"${ports.http}
            """);
        var main = directory.Write("app.conf", """
            include file("base.conf")
            ports.http = 9000
            """);

        var config = HoconConfig.ParseFile(main);

        Assert.Equal("http://localhost:9000", config.GetString("url"));
    }

    [Fact]
    public void Include_inside_an_object_nests_the_included_fields()
    {
        using var directory = new TempConfigDirectory();
        directory.Write("journal.conf", """
            provider = sqlite
            description = "uses "${provider}
            """);
        var main = directory.Write("app.conf", "bank { journal { include \"journal.conf\" } }");

        var config = HoconConfig.ParseFile(main);

        Assert.Equal("sqlite", config.GetString("bank.journal.provider"));
        Assert.Equal("uses sqlite", config.GetString("bank.journal.description"));
    }

    [Fact]
    public void Include_of_a_missing_file_is_ignored()
    {
        using var directory = new TempConfigDirectory();
        var main = directory.Write("app.conf", """
            include "does-not-exist.conf"
            a = 1
            """);

        var config = HoconConfig.ParseFile(main);

        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal(1, config.Root.Count);
    }

    [Fact]
    public void Include_required_of_a_missing_file_throws_at_the_include()
    {
        using var directory = new TempConfigDirectory();
        var main = directory.Write("app.conf", "a = 1\ninclude required(\"secrets.conf\")\n");

        var error = Assert.Throws<HoconParseException>(() => HoconConfig.ParseFile(main));

        Assert.Equal(main, error.FilePath);
        Assert.Equal(2, error.Line);
        Assert.Equal(1, error.Column);
        Assert.Contains("secrets.conf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_cycles_are_detected()
    {
        using var directory = new TempConfigDirectory();
        var first = directory.Write("first.conf", "a = 1\ninclude \"second.conf\"");
        var second = directory.Write("second.conf", "b = 2\ninclude \"first.conf\"");

        var error = Assert.Throws<HoconParseException>(() => HoconConfig.ParseFile(first));

        Assert.Equal(second, error.FilePath);
        Assert.Equal(2, error.Line);
        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{first} -> {second} -> {first}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_file_may_be_included_twice_without_a_cycle()
    {
        using var directory = new TempConfigDirectory();
        directory.Write("common.conf", "timeout = 5s");
        var main = directory.Write("app.conf", """
            a { include "common.conf" }
            b { include "common" }
            """);

        var config = HoconConfig.ParseFile(main);

        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("a.timeout"));
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("b.timeout"));
    }
}
