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

    /// <summary>Snapshots from before transfers had no transfer ledger: the account had taken part in none.</summary>
    public const string AccountStateV2 = "bank.account-state.v2";

    internal static IReadOnlyDictionary<string, (string Becomes, Func<JsonObject, JsonObject> Upcast)> All { get; } =
        new Dictionary<string, (string, Func<JsonObject, JsonObject>)>(StringComparer.Ordinal)
        {
            [AccountOpenedV0] = (BankManifests.AccountOpened, opened =>
            {
                opened["currency"] ??= "EUR";
                return opened;
            }),
            [AccountStateV2] = (BankManifests.AccountState, state =>
            {
                state["transfers"] ??= new JsonArray();
                return state;
            }),
        };
}
