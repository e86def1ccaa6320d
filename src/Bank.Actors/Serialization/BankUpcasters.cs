using System.Text.Json.Nodes;

namespace Bank.Actors.Serialization;

/// <summary>
/// Older stored shapes, rewritten to a current manifest before they are read. Each entry takes the stored JSON of an
/// old manifest and returns the JSON of the manifest it became; chains are followed until a current manifest.
/// </summary>
public static class BankUpcasters
{
    /// <summary>The first accounts had no currency field: every account was in euros.</summary>
    public const string AccountOpenedV0 = "bank.account-opened.v0";

    /// <summary>
    /// Before authentication the owner was a free-text name typed by whoever opened the account; now it is the owner's
    /// subject, which a customer's token must match. A name proves nothing about who holds a token, so it is not taken as
    /// a subject: it becomes <c>legacy:&lt;name&gt;</c>, still readable, owned by no customer; tellers and admins reach
    /// the account as before. (The read model keeps the names it projected until it is rebuilt.)
    /// </summary>
    public const string AccountOpenedV1 = "bank.account-opened.v1";

    /// <summary>
    /// The snapshot of an account from before authentication and transfers: its owner was a free-text name (the same rule
    /// as <see cref="AccountOpenedV1"/>) and it had taken part in no transfer (an empty ledger).
    /// </summary>
    public const string AccountStateV2 = "bank.account-state.v2";

    /// <summary>What a free-text owner of an account opened before authentication reads as.</summary>
    public const string LegacyOwnerPrefix = "legacy:";

    internal static IReadOnlyDictionary<string, (string Becomes, Func<JsonObject, JsonObject> Upcast)> All { get; } =
        new Dictionary<string, (string, Func<JsonObject, JsonObject>)>(StringComparer.Ordinal)
        {
            [AccountOpenedV0] = (AccountOpenedV1, opened =>
            {
                opened["currency"] ??= "EUR";
                return opened;
            }),
            [AccountOpenedV1] = (BankManifests.AccountOpened, LegacyOwner),
            [AccountStateV2] = (BankManifests.AccountState, state =>
            {
                state["transfers"] ??= new JsonArray();
                return LegacyOwner(state);
            }),
        };

    private static JsonObject LegacyOwner(JsonObject stored)
    {
        // Events are camelCase; snapshots (AccountSnapshot) too, written with the same options.
        if (stored["owner"]?.GetValue<string>() is { } name) stored["owner"] = LegacyOwnerPrefix + name;
        return stored;
    }
}
