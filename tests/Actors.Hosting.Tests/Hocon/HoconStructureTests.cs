using Actors.Hosting.Hocon;

namespace Actors.Hosting.Tests.Hocon;

public sealed class HoconStructureTests
{
    [Fact]
    public void Root_with_and_without_braces_parse_the_same()
    {
        var bare = HoconConfig.Parse("name = bank\nport = 8080");
        var braced = HoconConfig.Parse("{ name = bank, port = 8080 }");

        Assert.Equal("bank", bare.GetString("name"));
        Assert.Equal(8080, bare.GetInt("port"));
        Assert.Equal("bank", braced.GetString("name"));
        Assert.Equal(8080, braced.GetInt("port"));
    }

    [Fact]
    public void Equals_colon_and_implicit_object_syntax_are_equivalent()
    {
        var config = HoconConfig.Parse("""
            a = 1
            b : 2
            c { d = 3 }
            e = { f: 4 }
            """);

        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal(2, config.GetInt("b"));
        Assert.Equal(3, config.GetInt("c.d"));
        Assert.Equal(4, config.GetInt("e.f"));
    }

    [Fact]
    public void Dotted_keys_merge_into_the_same_object()
    {
        var config = HoconConfig.Parse("""
            bank.journal.provider = sqlite
            bank.journal.path = ./data/bank.db
            bank { snapshots.every = 100 }
            """);

        var bank = config.GetConfig("bank");
        Assert.Equal(["journal", "snapshots"], bank.Root.Fields.Keys);
        Assert.Equal("sqlite", config.GetString("bank.journal.provider"));
        Assert.Equal("./data/bank.db", config.GetString("bank.journal.path"));
        Assert.Equal(100, config.GetInt("bank.snapshots.every"));
    }

    [Fact]
    public void Quoted_key_segments_may_contain_dots()
    {
        var config = HoconConfig.Parse("""
            hosts."db.example.com".port = 5432
            "a.b" = quoted
            """);

        Assert.Equal(5432, config.GetInt("hosts.\"db.example.com\".port"));
        Assert.Equal("quoted", config.GetString("\"a.b\""));
        Assert.False(config.HasPath("a.b"));
    }

    [Fact]
    public void Duplicate_objects_merge_and_later_scalars_win()
    {
        var config = HoconConfig.Parse("""
            journal { provider = sqlite, batch-size = 10 }
            journal { provider = postgres, timeout = 5s }
            """);

        Assert.Equal("postgres", config.GetString("journal.provider"));
        Assert.Equal(10, config.GetInt("journal.batch-size"));
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("journal.timeout"));
    }

    [Fact]
    public void A_later_scalar_replaces_an_earlier_object_and_ends_the_merge()
    {
        var config = HoconConfig.Parse("""
            a { x = 1 }
            a = disabled
            b { x = 1 }
            b = null
            b { y = 2 }
            """);

        Assert.Equal("disabled", config.GetString("a"));
        Assert.False(config.HasPath("b.x"));
        Assert.Equal(2, config.GetInt("b.y"));
    }

    [Fact]
    public void Comments_with_hash_and_double_slash_are_ignored()
    {
        var config = HoconConfig.Parse("""
            # leading comment
            a = 1 # trailing hash comment
            // slash comment
            b = ./relative/path // trailing slash comment
            c = "not # a comment"
            """);

        Assert.Equal(1, config.GetInt("a"));
        Assert.Equal("./relative/path", config.GetString("b"));
        Assert.Equal("not # a comment", config.GetString("c"));
        Assert.Equal(3, config.Root.Count);
    }

    [Fact]
    public void Newlines_separate_fields_and_commas_are_optional()
    {
        var config = HoconConfig.Parse("""
            a = 1, b = 2
            c = 3,
            d {
              e = 4, f = 5,
            }
            """);

        Assert.Equal([1, 2, 3], new[] { config.GetInt("a"), config.GetInt("b"), config.GetInt("c") });
        Assert.Equal(4, config.GetInt("d.e"));
        Assert.Equal(5, config.GetInt("d.f"));
    }

    [Fact]
    public void Quoted_strings_decode_escapes()
    {
        var config = HoconConfig.Parse("""
            text = "tab\there \"quoted\" back\\slash \u00e9 line\nbreak"
            """);

        Assert.Equal("tab\there \"quoted\" back\\slash é line\nbreak", config.GetString("text"));
    }

    [Fact]
    public void Triple_quoted_strings_keep_newlines_and_backslashes_verbatim()
    {
        var config = HoconConfig.Parse("message = \"\"\"first line\n  second \"line\" with \\n kept\"\"\"\nafter = 1");

        Assert.Equal("first line\n  second \"line\" with \\n kept", config.GetString("message"));
        Assert.Equal(1, config.GetInt("after"));
    }

    [Fact]
    public void Unquoted_strings_keep_paths_log_levels_and_units()
    {
        var config = HoconConfig.Parse("""
            db = ./data/bank.db
            level = Information
            timeout = 5s
            """);

        Assert.Equal("./data/bank.db", config.GetString("db"));
        Assert.Equal("Information", config.GetString("level"));
        Assert.Equal("5s", config.GetString("timeout"));
    }

    [Fact]
    public void Unquoted_words_concatenate_with_their_spaces()
    {
        var config = HoconConfig.Parse("""
            greeting = hello   big world
            mixed = foo "bar baz" 42
            """);

        Assert.Equal("hello   big world", config.GetString("greeting"));
        Assert.Equal("foo bar baz 42", config.GetString("mixed"));
    }

    [Fact]
    public void Numbers_booleans_and_null_get_their_kinds()
    {
        var config = HoconConfig.Parse("""
            int = 42
            negative = -7
            big = 9000000000
            money = 12.50
            flag = true
            quoted-flag = "true"
            nothing = null
            """);

        Assert.Equal(-7, config.GetInt("negative"));
        Assert.Equal(9_000_000_000L, config.GetLong("big"));
        Assert.Equal(12.50m, config.GetDecimal("money"));
        Assert.True(config.GetBool("flag"));
        Assert.Equal(HoconScalarKind.Number, ((HoconScalar)config.GetValue("int")!).Kind);
        Assert.Equal(HoconScalarKind.Boolean, ((HoconScalar)config.GetValue("flag")!).Kind);
        Assert.Equal(HoconScalarKind.String, ((HoconScalar)config.GetValue("quoted-flag")!).Kind);
        Assert.Equal(HoconScalarKind.Null, ((HoconScalar)config.GetValue("nothing")!).Kind);
        Assert.False(config.HasPath("nothing"));
        Assert.Equal("fallback", config.GetString("nothing", "fallback"));
    }

    [Fact]
    public void Lists_accept_commas_or_newlines_between_elements()
    {
        var config = HoconConfig.Parse("""
            numbers = [1, 2, 3]
            hosts = [
              alpha
              "beta"
              gamma,
            ]
            empty = []
            """);

        var numbers = Assert.IsType<HoconList>(config.GetValue("numbers"));
        Assert.Equal(["1", "2", "3"], numbers.Items.Select(i => ((HoconScalar)i).Text));
        Assert.Equal(["alpha", "beta", "gamma"], config.GetStringList("hosts"));
        Assert.Empty(config.GetStringList("empty"));
    }

    [Fact]
    public void Lists_of_objects_are_readable_as_configs()
    {
        var config = HoconConfig.Parse("""
            accounts = [
              { id = a-1, balance = 100 }
              { id = a-2, balance = 250.75 }
            ]
            """);

        var accounts = config.GetConfigList("accounts");
        Assert.Equal(2, accounts.Count);
        Assert.Equal("a-2", accounts[1].GetString("id"));
        Assert.Equal(250.75m, accounts[1].GetDecimal("balance"));
    }

    [Fact]
    public void Plus_equals_and_list_concatenation_append_elements()
    {
        var config = HoconConfig.Parse("""
            plugins = [journal]
            plugins += snapshots
            fresh += only
            joined = [1, 2] [3]
            """);

        Assert.Equal(["journal", "snapshots"], config.GetStringList("plugins"));
        Assert.Equal(["only"], config.GetStringList("fresh"));
        Assert.Equal(["1", "2", "3"], config.GetStringList("joined"));
    }
}
