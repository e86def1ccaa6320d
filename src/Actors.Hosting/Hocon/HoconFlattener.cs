using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Actors.Hosting.Hocon;

/// <summary>Turns a resolved tree into IConfiguration keys: <c>a:b:c</c> for objects, <c>a:0</c> for list items.</summary>
internal static class HoconFlattener
{
    public static Dictionary<string, string?> Flatten(HoconObject root)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in root.Fields)
        {
            Visit(value, key, data);
        }

        return data;
    }

    private static void Visit(HoconValue value, string key, Dictionary<string, string?> data)
    {
        switch (value)
        {
            case HoconObject obj:
                // Like the JSON provider, keep empty sections visible as keys.
                if (obj.Count == 0)
                {
                    data[key] = null;
                }

                foreach (var (childKey, child) in obj.Fields)
                {
                    Visit(child, ConfigurationPath.Combine(key, childKey), data);
                }

                break;
            case HoconList list:
                if (list.Items.Count == 0)
                {
                    data[key] = null;
                }

                for (var i = 0; i < list.Items.Count; i++)
                {
                    Visit(list.Items[i], ConfigurationPath.Combine(key, i.ToString(CultureInfo.InvariantCulture)), data);
                }

                break;
            case HoconScalar scalar:
                data[key] = scalar.Kind == HoconScalarKind.Null ? null : scalar.Text;
                break;
        }
    }
}
