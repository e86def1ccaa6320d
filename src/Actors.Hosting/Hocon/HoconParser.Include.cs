namespace Actors.Hosting.Hocon;

internal sealed partial class HoconParser
{
    private const string RequiredWrapper = "required(";
    private const string FileWrapper = "file(";

    private static readonly string[] WrapperPrefixes = [RequiredWrapper, FileWrapper, "url(", "classpath("];

    // "include" is an ordinary key unless a file name (or a wrapper like required(...)) follows it.
    private bool IsIncludeDirective() =>
        Current is { Kind: HoconTokenKind.Unquoted, Text: "include" }
        && Peek(1).Kind == HoconTokenKind.Whitespace
        && Peek(2) switch
        {
            { Kind: HoconTokenKind.QuotedString } => true,
            { Kind: HoconTokenKind.Unquoted, Text: var text } => WrapperPrefixes.Any(prefix => text.StartsWith(prefix, StringComparison.Ordinal)),
            _ => false,
        };

    private void ParseInclude(HoconObject target, string[]? objectPath)
    {
        var directive = Current;
        Advance();
        SkipWhitespace();

        var required = false;
        var openParentheses = 0;
        if (Current.Kind == HoconTokenKind.Unquoted)
        {
            var wrappers = Current.Text;
            while (wrappers.Length > 0)
            {
                if (wrappers.StartsWith(RequiredWrapper, StringComparison.Ordinal))
                {
                    required = true;
                    wrappers = wrappers[RequiredWrapper.Length..];
                }
                else if (wrappers.StartsWith(FileWrapper, StringComparison.Ordinal))
                {
                    wrappers = wrappers[FileWrapper.Length..];
                }
                else
                {
                    throw Expected("required(\"...\"), file(\"...\") or a quoted file name after include (url and classpath includes are not supported)", Current);
                }

                openParentheses++;
            }

            Advance();
            SkipWhitespace();
        }

        if (Current.Kind != HoconTokenKind.QuotedString)
        {
            throw Expected("a quoted file name after include", Current);
        }

        var name = Current.Text;
        Advance();
        for (var closed = 0; closed < openParentheses;)
        {
            SkipWhitespace();
            var token = Current;
            if (token.Kind != HoconTokenKind.Unquoted
                || token.Text.Any(c => c != ')')
                || closed + token.Text.Length > openParentheses)
            {
                throw Expected("')' to close the include", token);
            }

            closed += token.Text.Length;
            Advance();
        }

        var included = _includes.Include(name, required, directive.Origin, objectPath ?? _includePrefix);
        if (included is null)
        {
            return;
        }

        // Included fields behave as if written at the include's position.
        foreach (var (key, value) in included.Fields)
        {
            target.Set(key, HoconMerge.Assign(target.GetOrNull(key), value));
        }
    }
}
