using Actors.Hosting.Hocon;

namespace Actors.Hosting.Tests.Hocon;

public sealed class HoconSubstitutionTests
{
    [Fact]
    public void Path_substitution_copies_a_value_defined_later()
    {
        var config = HoconConfig.Parse("""
            journal.path = ${defaults.path}
            snapshots = ${defaults}
            defaults { path = ./data/bank.db, retries = 3 }
            """);

        Assert.Equal("./data/bank.db", config.GetString("journal.path"));
        Assert.Equal(3, config.GetInt("snapshots.retries"));
    }

    [Fact]
    public void Substitutions_concatenate_with_strings()
    {
        var config = HoconConfig.Parse("""
            host = localhost
            port = 5432
            url = "postgres://"${host}":"${port}/bank
            """);

        Assert.Equal("postgres://localhost:5432/bank", config.GetString("url"));
    }

    [Fact]
    public void Optional_env_substitution_overrides_the_default_when_set()
    {
        using var variable = EnvironmentVariableScope.Set("9090");

        var config = HoconConfig.Parse("""
            port = 8080
            port = ${?VAR}
            """.Replace("VAR", variable.Name, StringComparison.Ordinal));

        Assert.Equal(9090, config.GetInt("port"));
    }

    [Fact]
    public void Optional_env_substitution_keeps_the_default_when_unset()
    {
        using var variable = EnvironmentVariableScope.Unset();

        var config = HoconConfig.Parse("""
            bank {
              port = 8080
              port = ${?VAR}
            }
            """.Replace("VAR", variable.Name, StringComparison.Ordinal));

        Assert.Equal(8080, config.GetInt("bank.port"));
    }

    [Fact]
    public void Optional_substitution_without_a_default_leaves_the_field_unset()
    {
        using var variable = EnvironmentVariableScope.Unset();

        var config = HoconConfig.Parse("""
            password = ${?VAR}
            hosts = [primary, ${?VAR}]
            """.Replace("VAR", variable.Name, StringComparison.Ordinal));

        Assert.False(config.HasPath("password"));
        Assert.Equal("none", config.GetString("password", "none"));
        Assert.Equal(["primary"], config.GetStringList("hosts"));
    }

    [Fact]
    public void Optional_substitution_looks_in_the_config_before_the_environment()
    {
        var name = EnvironmentVariableScope.UniqueName();
        using var variable = EnvironmentVariableScope.Set("from-env");

        var config = HoconConfig.Parse("""
            NAME = from-config
            a = ${?NAME}
            b = ${?VAR}
            """.Replace("NAME", name, StringComparison.Ordinal).Replace("VAR", variable.Name, StringComparison.Ordinal));

        Assert.Equal("from-config", config.GetString("a"));
        Assert.Equal("from-env", config.GetString("b"));
    }

    [Fact]
    public void Required_substitution_falls_back_to_the_environment()
    {
        using var variable = EnvironmentVariableScope.Set("/home/bank");

        var config = HoconConfig.Parse($"data = ${{{variable.Name}}}/data");

        Assert.Equal("/home/bank/data", config.GetString("data"));
    }

    [Fact]
    public void Unresolved_required_substitution_names_the_path_and_where_it_was_used()
    {
        using var directory = new TempConfigDirectory();
        var file = directory.Write("app.conf", """
            bank {
              name = demo
              port = ${settings.port}
            }
            """);

        var error = Assert.Throws<HoconSubstitutionException>(() => HoconConfig.ParseFile(file));

        Assert.Equal("settings.port", error.Path);
        Assert.Equal(file, error.FilePath);
        Assert.Equal(3, error.Line);
        Assert.Equal(10, error.Column);
        Assert.Contains("${settings.port}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{file}:3:10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Substitution_cycles_are_reported()
    {
        var error = Assert.Throws<HoconSubstitutionException>(() => HoconConfig.Parse("""
            a = ${b}
            b = ${c}
            c = ${a}
            """));

        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
        Assert.Contains("${a}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Self_reference_extends_the_previous_value()
    {
        var config = HoconConfig.Parse("""
            path = /usr/bin
            path = ${path}":/opt/bank/bin"
            """);

        Assert.Equal("/usr/bin:/opt/bank/bin", config.GetString("path"));
    }

    [Fact]
    public void Object_substitution_merges_with_fields_around_it()
    {
        var config = HoconConfig.Parse("""
            defaults { timeout = 5s, retries = 3 }
            journal = ${defaults} { retries = 5 }
            journal.provider = sqlite
            """);

        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("journal.timeout"));
        Assert.Equal(5, config.GetInt("journal.retries"));
        Assert.Equal("sqlite", config.GetString("journal.provider"));
        Assert.Equal(3, config.GetInt("defaults.retries"));
        Assert.False(config.HasPath("defaults.provider"));
    }
}
