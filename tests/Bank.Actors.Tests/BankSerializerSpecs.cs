using System.Runtime.Serialization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using Bank.Actors.Accounts;
using Bank.Actors.Hosting;
using Bank.Actors.Serialization;
using Bank.Actors.Tests.Support;
using Bank.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bank.Actors.Tests;

/// <summary>The bank serializer: stable manifests, exact JSON, upcasting of old shapes, and its bindings in an actor system.</summary>
public sealed class BankSerializerSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(SpecConfig.BankSerializer, output: output)
{
    private BankSerializer Serializer => field ??= new BankSerializer((ExtendedActorSystem)Sys);

    public static TheoryData<string> Manifests => [.. BankManifests.ByType.Values];

    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Every_bank_type_round_trips_under_its_manifest(string manifest)
    {
        var type = BankManifests.ByType.Single(pair => pair.Value == manifest).Key;
        var sample = BankSamples.ByType[type];

        var bytes = Serializer.ToBinary(sample);
        var back = Serializer.FromBinary(bytes, Serializer.Manifest(sample));

        Assert.Equal(manifest, Serializer.Manifest(sample));
        Assert.IsType(type, back);
        Assert.Equal(sample, back);
        // Written again, the same bytes: nothing (a decimal's scale, an offset) was lost on the way.
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(Serializer.ToBinary(back)));
    }

    [Fact]
    public void Decimals_are_written_as_exact_json_numbers_and_enums_by_name()
    {
        var deposited = JsonNode.Parse(Serializer.ToBinary(BankSamples.Deposited))!;
        var state = JsonNode.Parse(Serializer.ToBinary(BankSamples.State))!;
        var rejected = JsonNode.Parse(Serializer.ToBinary(BankSamples.ByType[typeof(AccountReply.Rejected)]))!;

        Assert.Equal("12345678901234567.89", deposited["amount"]!.ToJsonString());
        Assert.Equal("100.50", state["balance"]!.ToJsonString());
        Assert.Equal("\"open\"", state["status"]!.ToJsonString());
        Assert.Equal("\"insufficientFunds\"", rejected["rejection"]!["code"]!.ToJsonString());
    }

    [Fact]
    public void An_enum_stored_as_a_number_is_refused_rather_than_guessed()
    {
        var json = """{"rejection":{"code":2,"field":"amount","reason":"?"}}""";

        Assert.Throws<JsonException>(() => Serializer.FromBinary(Utf8(json), BankManifests.Rejected));
    }

    [Fact]
    public void A_state_keeps_its_idempotency_window_so_repeats_are_still_recognised()
    {
        var state = (AccountState)Serializer.FromBinary(Serializer.ToBinary(BankSamples.State), BankManifests.AccountState);

        Assert.Equal(5, state.ProcessedCommands.Capacity);
        Assert.Equal([BankSamples.OpeningId, BankSamples.DepositId, BankSamples.WithdrawalId], state.ProcessedCommands.Entries.Select(e => e.CommandId));
        var repeat = new Withdraw("acc-1", BankSamples.Withdrawn.Amount, BankSamples.WithdrawalId, BankSamples.At);
        var original = Assert.IsType<Decision.Duplicate>(AccountDecider.Decide(state, repeat)).Original;
        Assert.Equal((3L, 100.50m), (original.Version, original.Balance));
    }

    [Theory]
    [InlineData(BankManifests.AccountOpened, """{"owner":"Ada Lovelace","currency":"EUR","accountId":"acc-1","commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01","at":"2026-11-22T13:00:00+01:00"}""")]
    [InlineData(BankManifests.MoneyDeposited, """{"amount":12345678901234567.89,"balanceAfter":12345678901234567.89,"accountId":"acc-1","commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a02","at":"2026-11-22T13:01:00+01:00"}""")]
    [InlineData(BankManifests.MoneyWithdrawn, """{"amount":12345678901234467.39,"balanceAfter":100.50,"accountId":"acc-1","commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a03","at":"2026-11-22T13:02:00+01:00"}""")]
    [InlineData(BankManifests.AccountClosed, """{"finalBalance":0.00,"accountId":"acc-1","commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a04","at":"2026-11-23T13:00:00+01:00"}""")]
    [InlineData(BankManifests.AccountState, """
        {"accountId":"acc-1","owner":"Ada Lovelace","currency":"EUR","balance":100.50,"status":"open","version":3,
         "openedAt":"2026-11-22T13:00:00+01:00","lastActivityAt":"2026-11-22T13:02:00+01:00","windowCapacity":5,"recentCommands":[
           {"commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01","fingerprint":"open:EUR:0:Ada Lovelace","version":1,"balance":0,"status":"open"},
           {"commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a02","fingerprint":"deposit:12345678901234567.89","version":2,"balance":12345678901234567.89,"status":"open"},
           {"commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a03","fingerprint":"withdraw:12345678901234467.39","version":3,"balance":100.50,"status":"open"}],"transfers":[]}
        """)]
    public void Events_and_snapshots_stored_by_this_version_keep_loading(string manifest, string storedJson)
    {
        var type = BankManifests.ByType.Single(pair => pair.Value == manifest).Key;

        Assert.Equal(BankSamples.ByType[type], Serializer.FromBinary(Utf8(storedJson), manifest));
    }

    [Fact]
    public void A_v2_snapshot_from_before_transfers_and_authentication_loads_with_an_empty_transfer_ledger_and_a_legacy_owner()
    {
        var v2 = """
        {"accountId":"acc-1","owner":"Ada Lovelace","currency":"EUR","balance":100.50,"status":"open","version":3,
         "openedAt":"2026-11-22T13:00:00+01:00","lastActivityAt":"2026-11-22T13:02:00+01:00","windowCapacity":5,"recentCommands":[
           {"commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01","fingerprint":"open:EUR:0:Ada Lovelace","version":1,"balance":0,"status":"open"},
           {"commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a02","fingerprint":"deposit:12345678901234567.89","version":2,"balance":12345678901234567.89,"status":"open"},
           {"commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a03","fingerprint":"withdraw:12345678901234467.39","version":3,"balance":100.50,"status":"open"}]}
        """;

        var state = Assert.IsType<AccountState>(Serializer.FromBinary(Utf8(v2), BankUpcasters.AccountStateV2));

        Assert.Equal(BankSamples.State with { Owner = "legacy:Ada Lovelace" }, state);
        Assert.Equal(0, state.Transfers.Count);
    }

    [Fact]
    public void A_snapshot_keeps_the_transfer_ledger_so_a_late_retry_of_a_step_is_still_recognised()
    {
        var transfer = Guid.NewGuid();
        var debit = new DebitForTransfer("acc-1", transfer, "acc-2", "EUR", 0.50m, TransferRules.StepCommandId(transfer, TransferStep.Debited), BankSamples.At);
        var debited = ((Decision.Accepted)AccountDecider.Decide(BankSamples.State, debit)).Events;
        var state = AccountDecider.Fold(BankSamples.State, debited) with { ProcessedCommands = IdempotencyWindow.Empty(5) };

        var restored = (AccountState)Serializer.FromBinary(Serializer.ToBinary(state), BankManifests.AccountState);

        Assert.Equal(state, restored);
        Assert.Contains("\"steps\":\"debited, settlementDue\"", Encoding.UTF8.GetString(Serializer.ToBinary(state)));
        Assert.IsType<Decision.Duplicate>(AccountDecider.Decide(restored, debit));
    }

    [Fact]
    public void A_snapshot_keeps_which_debits_await_a_settlement_and_which_were_settled()
    {
        var pending = Guid.NewGuid();
        var settled = Guid.NewGuid();
        var state = AccountDecider.Fold(BankSamples.State, [
            new TransferDebited("acc-1", pending, "acc-2", 0.25m, 100.25m, Guid.NewGuid(), BankSamples.At) { AwaitsSettlement = true },
            new TransferDebited("acc-1", settled, "acc-2", 0.25m, 100.00m, Guid.NewGuid(), BankSamples.At) { AwaitsSettlement = true },
            new TransferSettled("acc-1", settled, "acc-2", 0.25m, Guid.NewGuid(), BankSamples.At)]);

        var restored = (AccountState)Serializer.FromBinary(Serializer.ToBinary(state), BankManifests.AccountState);

        Assert.Equal(state, restored);
        Assert.Equal(TransferStep.Debited | TransferStep.SettlementDue | TransferStep.Settled, restored.Transfers.StepsOf(settled));
        Assert.Equal(pending, restored.Transfers.FirstInFlight());
        Assert.Equal(RejectionCode.TransferInFlight,
            Assert.IsType<Decision.Rejected>(AccountDecider.Decide(restored with { Balance = 0m }, new CloseAccount("acc-1", Guid.NewGuid(), BankSamples.At))).Rejection.Code);
    }

    [Fact]
    public void A_snapshot_from_before_settlements_restores_its_debits_as_not_awaiting_one_so_the_account_can_close()
    {
        var stored = """
            {"accountId":"acc-1","owner":"ada","currency":"EUR","balance":0,"status":"open","version":3,
             "openedAt":"2026-11-22T13:00:00+01:00","lastActivityAt":"2026-11-22T13:02:00+01:00","windowCapacity":5,"recentCommands":[],
             "transfers":[{"transferId":"5d7e9b1a-3c2f-4e8d-a1b0-9f8e7d6c5b4a","steps":"debited"}]}
            """;

        var state = (AccountState)Serializer.FromBinary(Utf8(stored), BankManifests.AccountState);

        Assert.Equal(TransferStep.Debited, state.Transfers.StepsOf(BankSamples.TransferId));
        Assert.Null(state.Transfers.FirstInFlight());
        Assert.IsType<Decision.Accepted>(AccountDecider.Decide(state, new CloseAccount("acc-1", Guid.NewGuid(), BankSamples.At)));
    }

    [Fact]
    public void A_debit_stored_before_settlements_loads_as_not_awaiting_one()
    {
        var stored = """{"transferId":"5d7e9b1a-3c2f-4e8d-a1b0-9f8e7d6c5b4a","counterpartyId":"acc-2","amount":0.10,"balanceAfter":100.40,"accountId":"acc-1","commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01","at":"2026-11-22T13:00:00+01:00"}""";

        var debited = Assert.IsType<TransferDebited>(Serializer.FromBinary(Utf8(stored), BankManifests.TransferDebited));

        Assert.False(debited.AwaitsSettlement);
        Assert.Equal(BankSamples.ByType[typeof(TransferDebited)], debited with { AwaitsSettlement = true });
        Assert.Contains("\"awaitsSettlement\":true", Encoding.UTF8.GetString(Serializer.ToBinary(BankSamples.ByType[typeof(TransferDebited)])), StringComparison.Ordinal);
    }

    [Fact]
    public void A_v0_account_opening_without_currency_is_upcast_to_euros()
    {
        var v0 = """{"accountId":"acc-1","owner":"Ada Lovelace","commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01","at":"2026-11-22T13:00:00+01:00"}""";

        var opened = Serializer.FromBinary(Utf8(v0), BankUpcasters.AccountOpenedV0);

        Assert.Equal(BankSamples.Opened with { Owner = "legacy:Ada Lovelace", Currency = "EUR" }, opened);
    }

    [Fact]
    public void A_v1_account_openings_free_text_owner_becomes_a_legacy_owner_that_no_customer_is()
    {
        var v1 = """{"owner":"Ada Lovelace","currency":"EUR","accountId":"acc-1","commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01","at":"2026-11-22T13:00:00+01:00"}""";

        var opened = Serializer.FromBinary(Utf8(v1), BankUpcasters.AccountOpenedV1);

        Assert.Equal(BankSamples.Opened with { Owner = "legacy:Ada Lovelace" }, opened);
        var state = AccountDecider.Evolve(AccountState.Initial("acc-1"), (AccountOpened)opened);
        var byAda = new Withdraw("acc-1", 1m, Guid.NewGuid(), BankSamples.At) { IssuedBy = new Issuer("Ada Lovelace", Role.Customer) };
        Assert.Equal(RejectionCode.NotFound, Assert.IsType<Decision.Rejected>(AccountDecider.Decide(state, byAda)).Rejection.Code);
    }

    [Fact]
    public void A_v2_snapshots_free_text_owner_becomes_the_same_legacy_owner()
    {
        var v2 = """
            {"accountId":"acc-1","owner":"Ada Lovelace","currency":"EUR","balance":0,"status":"open","version":1,
             "openedAt":"2026-11-22T13:00:00+01:00","lastActivityAt":"2026-11-22T13:00:00+01:00","windowCapacity":5,"recentCommands":[
               {"commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01","fingerprint":"open:EUR:0:Ada Lovelace","version":1,"balance":0,"status":"open"}]}
            """;

        var state = (AccountState)Serializer.FromBinary(Utf8(v2), BankUpcasters.AccountStateV2);

        Assert.Equal(("legacy:Ada Lovelace", 1L), (state.Owner, state.Version));
    }

    [Fact]
    public void Who_issued_a_command_is_stored_with_its_events_and_sent_with_the_command()
    {
        var ada = new Issuer("ada", Role.Customer);
        var deposited = BankSamples.Deposited with { IssuedBy = ada };
        var bytes = Serializer.ToBinary(deposited);

        var json = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.True(json.Contains("\"issuedBy\":{\"subject\":\"ada\",\"role\":\"customer\"}", StringComparison.Ordinal), json);
        Assert.Equal(deposited, Serializer.FromBinary(bytes, Serializer.Manifest(deposited)));
        var command = new Deposit("acc-1", 1m, BankSamples.DepositId, BankSamples.At) { IssuedBy = new Issuer("teller-1", Role.Teller) };
        Assert.Equal(command, Serializer.FromBinary(Serializer.ToBinary(command), Serializer.Manifest(command)));
        // Stored before issuers existed: read with none.
        Assert.Null(((AccountEvent)Serializer.FromBinary(Utf8("""{"amount":1,"balanceAfter":1,"accountId":"acc-1","commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a02","at":"2026-11-22T13:01:00+01:00"}"""), BankManifests.MoneyDeposited)).IssuedBy);
    }

    [Theory]
    [InlineData("""{"subject":"teller-1","role":"teller"}""", "teller-1", Role.Teller)]
    [InlineData("""{"role":"admin","subject":"root"}""", "root", Role.Admin)]
    [InlineData("""{"Subject":"ada","Role":"Customer","since":2026}""", "ada", Role.Customer)]
    public void An_issuer_is_read_by_its_property_names_in_any_order_and_case(string issuer, string subject, Role role)
    {
        var json = $$"""{"amount":1,"balanceAfter":1,"accountId":"acc-1","commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a02","at":"2026-11-22T13:01:00+01:00","issuedBy":{{issuer}}}""";

        var deposited = (AccountEvent)Serializer.FromBinary(Utf8(json), BankManifests.MoneyDeposited);

        Assert.Equal(new Issuer(subject, role), deposited.IssuedBy);
        Assert.Equal(1m, ((MoneyDeposited)deposited).BalanceAfter);
    }

    [Theory]
    [InlineData("""{"subject":"ada","role":1}""")]
    [InlineData("""{"subject":"ada","role":"auditor"}""")]
    [InlineData("""{"subject":"ada"}""")]
    [InlineData("""["ada","customer"]""")]
    public void An_issuer_with_a_role_by_number_an_unknown_role_or_a_missing_part_is_refused(string issuer)
    {
        var json = $$"""{"amount":1,"balanceAfter":1,"accountId":"acc-1","commandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a02","at":"2026-11-22T13:01:00+01:00","issuedBy":{{issuer}}}""";

        Assert.ThrowsAny<JsonException>(() => Serializer.FromBinary(Utf8(json), BankManifests.MoneyDeposited));
    }

    [Fact]
    public void An_unknown_manifest_is_a_serialization_error_that_names_it()
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary(Utf8("{}"), "bank.account-frozen.v1"));

        Assert.Contains("'bank.account-frozen.v1'", error.Message);
    }

    [Fact]
    public void A_type_without_a_manifest_is_refused_when_written()
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.Manifest(new Rejection(RejectionCode.NotFound, null, "no manifest")));

        Assert.Contains(typeof(Rejection).FullName!, error.Message);
    }

    [Fact]
    public void The_serializer_id_is_7411_and_bound_to_every_bank_type()
    {
        Assert.Equal(7411, Serializer.Identifier);
        AssertBoundToEveryBankType(Sys);
    }

    [Fact]
    public async Task WithBankSerializer_binds_the_bank_serializer_to_every_bank_type()
    {
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("serializer-spec", builder => builder.WithBankSerializer()))
            .Build();
        await host.StartAsync();
        try
        {
            AssertBoundToEveryBankType(host.Services.GetRequiredService<ActorSystem>());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static void AssertBoundToEveryBankType(ActorSystem system)
    {
        Assert.All(BankManifests.ByType.Keys, type =>
        {
            var serializer = system.Serialization.FindSerializerFor(BankSamples.ByType[type]);
            Assert.IsType<BankSerializer>(serializer);
            Assert.Equal(BankSerializer.Id, serializer.Identifier);
        });
    }
}
