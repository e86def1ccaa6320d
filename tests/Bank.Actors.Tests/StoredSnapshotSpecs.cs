using Actors.Persistence.Serialization;
using Bank.Domain;

namespace Bank.Actors.Tests;

/// <summary>Snapshots already in a journal's database must keep loading, with an idempotency window that still recognizes repeats.</summary>
public sealed class StoredSnapshotSpecs
{
    private static readonly Guid Opening = Guid.Parse("0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01");
    private static readonly Guid Depositing = Guid.Parse("0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a02");
    private static readonly Guid Withdrawing = Guid.Parse("0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a03");
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    // Written by the bank's serializer before fingerprints were formatted without composite formatting and before
    // the serializer cached its manifest lookups: the exact bytes of a stored "bank.account-state.v1".
    private const string StoredState =
        """
        {"AccountId":"ada","Owner":"Ada","Currency":"EUR","Balance":69.75,"Status":1,"Version":4,
         "OpenedAt":"2026-11-22T12:00:00+00:00","LastActivityAt":"2026-11-22T12:05:00+00:00",
         "ProcessedCommands":{"Capacity":1000,"Count":3,"Entries":[
           {"CommandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01","Fingerprint":"open:EUR:100:Ada","Version":2,"Balance":100,"Status":1},
           {"CommandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a02","Fingerprint":"deposit:0.5","Version":3,"Balance":100.5,"Status":1},
           {"CommandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a03","Fingerprint":"withdraw:30.75","Version":4,"Balance":69.75,"Status":1}]}}
        """;

    private static AccountState Load() =>
        (AccountState)new JsonEventSerializer(BankEventTypes.Register(new EventTypeRegistry()))
            .Deserialize("bank.account-state.v1", System.Text.Encoding.UTF8.GetBytes(StoredState));

    [Fact]
    public void A_snapshot_stored_before_loads_with_its_state_and_window()
    {
        var state = Load();

        Assert.Equal(("ada", "Ada", "EUR", 69.75m, AccountStatus.Open, 4L), (state.AccountId, state.Owner, state.Currency, state.Balance, state.Status, state.Version));
        Assert.Equal(1000, state.ProcessedCommands.Capacity);
        Assert.Equal([Opening, Depositing, Withdrawing], state.ProcessedCommands.Entries.Select(e => e.CommandId));
    }

    [Fact]
    public void Repeats_of_commands_remembered_in_a_stored_snapshot_are_duplicates_whatever_their_decimal_scale()
    {
        var state = Load();

        Assert.IsType<Decision.Duplicate>(AccountDecider.Decide(state, new Deposit("ada", 0.50m, Depositing, Now)));
        Assert.IsType<Decision.Duplicate>(AccountDecider.Decide(state, new Withdraw("ada", 30.750m, Withdrawing, Now)));
        Assert.IsType<Decision.Duplicate>(AccountDecider.Decide(state, new OpenAccount("ada", " Ada ", "EUR", 100.00m, Opening, Now)));
        Assert.IsType<Decision.Rejected>(AccountDecider.Decide(state, new Deposit("ada", 0.51m, Depositing, Now)));
    }

    [Fact]
    public void Events_replayed_after_a_stored_snapshot_are_remembered_with_the_same_fingerprints_as_new_commands()
    {
        var deposit = new Deposit("ada", 12.10m, Guid.NewGuid(), Now);
        var accepted = Assert.IsType<Decision.Accepted>(AccountDecider.Decide(Load(), deposit));

        var replayed = AccountDecider.Fold(Load(), accepted.Events);

        Assert.Equal("deposit:12.1", replayed.ProcessedCommands.Entries[^1].Fingerprint);
        Assert.IsType<Decision.Duplicate>(AccountDecider.Decide(replayed, deposit with { Amount = 12.1m }));
    }
}
