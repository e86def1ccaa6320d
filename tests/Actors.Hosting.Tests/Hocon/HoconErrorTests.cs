using Actors.Hosting.Hocon;

namespace Actors.Hosting.Tests.Hocon;

public sealed class HoconErrorTests
{
    [Fact]
    public void Malformed_file_error_names_the_file_line_and_column()
    {
        using var directory = new TempConfigDirectory();
        var file = directory.Write("bank.conf", """
            bank {
              port = 8080
              host = = "x"
            }
            """);

        var error = Assert.Throws<HoconParseException>(() => HoconConfig.ParseFile(file));

        Assert.Equal(file, error.FilePath);
        Assert.Equal(3, error.Line);
        Assert.Equal(10, error.Column);
        Assert.Equal("expected a value after '=' but found '='", error.Detail);
        Assert.Equal($"{file}:3:10: expected a value after '=' but found '='", error.Message);
    }

    [Fact]
    public void Unclosed_object_error_points_at_the_end_of_the_file()
    {
        var error = Assert.Throws<HoconParseException>(() => HoconConfig.Parse("bank {\n  port = 8080\n", "inline.conf"));

        Assert.Equal("inline.conf", error.FilePath);
        Assert.Equal(3, error.Line);
        Assert.Equal(1, error.Column);
        Assert.Equal("expected '}' to close the object opened at line 1, column 6 but found end of file", error.Detail);
    }

    [Fact]
    public void Missing_separator_after_a_key_is_reported_with_the_key()
    {
        var error = Assert.Throws<HoconParseException>(() => HoconConfig.Parse("a = 1\nport 8080\n"));

        Assert.Null(error.FilePath);
        Assert.Equal(2, error.Line);
        Assert.Equal(10, error.Column);
        Assert.Equal("expected '=', ':' or '{' after the key '\"port 8080\"' but found end of line", error.Detail);
    }

    [Fact]
    public void Unterminated_quoted_string_is_reported_where_the_line_ends()
    {
        var error = Assert.Throws<HoconParseException>(() => HoconConfig.Parse("a = \"open\nb = 2"));

        Assert.Equal(1, error.Line);
        Assert.Equal(10, error.Column);
        Assert.Contains("started at line 1, column 5", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_inside_an_included_file_names_that_file()
    {
        using var directory = new TempConfigDirectory();
        var broken = directory.Write("broken.conf", "ok = 1\nlist = [1, 2\n");
        var main = directory.Write("app.conf", "include \"broken.conf\"");

        var error = Assert.Throws<HoconParseException>(() => HoconConfig.ParseFile(main));

        Assert.Equal(broken, error.FilePath);
        Assert.Equal(3, error.Line);
        Assert.Equal(1, error.Column);
        Assert.Contains("']' to close the list opened at line 2, column 8", error.Detail, StringComparison.Ordinal);
    }
}
