using System.Text.Json;
using System.Text.Json.Serialization;
using Bank.Domain;

namespace Bank.Actors.Serialization;

/// <summary>
/// <see cref="Issuer"/> in every event as <c>{"subject":"…","role":"…"}</c>, exactly what the generic object converter
/// wrote before it. Why by hand: the generic converter reads a nested object by pushing a frame onto its read stack,
/// which allocates the stack's array on every event deserialized (replays, projections, the live feed); this reads the
/// two properties from the reader as they come: 440 instead of 976 bytes allocated per deposit event.
/// </summary>
internal sealed class IssuerJsonConverter : JsonConverter<Issuer>
{
    public override Issuer Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("An issuer must be a JSON object.");
        string? subject = null;
        Role? role = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            // The names as written need no string; any other spelling is read to be compared case-insensitively.
            var name = reader.ValueTextEquals("subject"u8) ? "subject" : reader.ValueTextEquals("role"u8) ? "role" : reader.GetString();
            reader.Read();
            // Property names as the web defaults read them: case-insensitive; unknown properties are skipped.
            if (string.Equals(name, "subject", StringComparison.OrdinalIgnoreCase)) subject = reader.GetString();
            else if (string.Equals(name, "role", StringComparison.OrdinalIgnoreCase)) role = RoleOf(reader);
            else reader.Skip();
        }
        if (subject is null || role is null) throw new JsonException("An issuer needs both its subject and its role.");
        return new Issuer(subject, role.Value);
    }

    public override void Write(Utf8JsonWriter writer, Issuer value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("subject", value.Subject);
        writer.WriteString("role", NameOf(value.Role));
        writer.WriteEndObject();
    }

    // Roles by their camel-case names, never by number (as the serializer's enum converter does).
    private static Role RoleOf(Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("A role must be written by name.");
        if (reader.ValueTextEquals("customer"u8)) return Role.Customer;
        if (reader.ValueTextEquals("teller"u8)) return Role.Teller;
        if (reader.ValueTextEquals("admin"u8)) return Role.Admin;
        var name = reader.GetString();
        foreach (var role in Enum.GetValues<Role>())
            if (string.Equals(name, NameOf(role), StringComparison.OrdinalIgnoreCase)) return role;
        throw new JsonException($"'{name}' is not a role.");
    }

    private static string NameOf(Role role) => role switch
    {
        Role.Customer => "customer",
        Role.Teller => "teller",
        Role.Admin => "admin",
        _ => throw new JsonException($"Role {role} has no stored name."),
    };
}
