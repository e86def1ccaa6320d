namespace Actors.Hosting.Hocon;

internal sealed partial class HoconParser
{
    /// <summary>Reads a value up to the end of the line, a comma or a closing bracket.</summary>
    private HoconValue ParseValue(string[]? fieldPath, string expected)
    {
        var start = Current;
        var parts = new List<HoconValue>();
        var hasSubstitution = false;
        var reading = true;
        while (reading)
        {
            var token = Current;
            switch (token.Kind)
            {
                case HoconTokenKind.Unquoted:
                    parts.Add(HoconScalar.FromUnquoted(token.Text, token.Origin));
                    Advance();
                    break;
                case HoconTokenKind.QuotedString:
                    parts.Add(new HoconScalar(token.Text, HoconScalarKind.String, token.Origin));
                    Advance();
                    break;
                case HoconTokenKind.Substitution:
                    parts.Add(ToSubstitution(token));
                    hasSubstitution = true;
                    Advance();
                    break;
                case HoconTokenKind.OpenBrace:
                    parts.Add(ParseObject(fieldPath));
                    break;
                case HoconTokenKind.OpenBracket:
                    parts.Add(ParseList());
                    break;
                case HoconTokenKind.Whitespace:
                    if (parts.Count > 0)
                    {
                        parts.Add(new HoconGap(token.Text, token.Origin));
                    }

                    Advance();
                    break;
                default:
                    reading = false;
                    break;
            }
        }

        while (parts.Count > 0 && parts[^1] is HoconGap)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        if (parts.Count == 0)
        {
            throw Expected(expected, Current);
        }

        if (hasSubstitution)
        {
            return new HoconPending(parts, start.Origin, fieldPath);
        }

        return HoconConcatenation.Join(parts, HoconMerge.AssignObject) ?? throw Expected(expected, start);
    }

    private HoconList ParseList()
    {
        var open = Current;
        Advance();
        var list = new HoconList(open.Origin);
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var token = Current;
            if (token.Kind == HoconTokenKind.CloseBracket)
            {
                Advance();
                return list;
            }

            if (token.Kind == HoconTokenKind.EndOfFile)
            {
                throw Expected($"']' to close the list opened at {At(open)}", token);
            }

            // Paths do not reach into lists, so elements have no field path.
            list.Add(ParseValue(null, "a list element"));
            SkipWhitespace();
            switch (Current.Kind)
            {
                case HoconTokenKind.Comma:
                    Advance();
                    break;
                case HoconTokenKind.Newline:
                case HoconTokenKind.CloseBracket:
                case HoconTokenKind.EndOfFile:
                    break;
                default:
                    throw Expected("',', a new line or ']' after the list element", Current);
            }
        }
    }

    private HoconSubstitution ToSubstitution(HoconToken token)
    {
        if (!HoconPath.TryParse(token.Text, out var written, out var error))
        {
            throw new HoconParseException($"expected a valid path in the substitution but {error} in '{token.Text}'", token.Origin);
        }

        return new HoconSubstitution([.. _includePrefix, .. written], written, token.IsOptional, isSelfReference: false, token.Origin);
    }

    private static HoconPending Append(string[] fieldPath, HoconValue item, HoconOrigin origin)
    {
        // a += x means a = ${?a} [x].
        var list = new HoconList(item.Origin);
        list.Add(item);
        var self = new HoconSubstitution(fieldPath, fieldPath, isOptional: true, isSelfReference: true, origin);
        return new HoconPending([self, list], origin, fieldPath);
    }
}
