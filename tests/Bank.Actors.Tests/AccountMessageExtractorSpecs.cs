using Akka.Cluster.Sharding;
using Bank.Actors.Accounts;
using Bank.Domain;

namespace Bank.Actors.Tests;

/// <summary>Which entity and shard a message goes to: by account id, the same on every node and after every restart.</summary>
public sealed class AccountMessageExtractorSpecs
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<object> AccountMessages => new()
    {
        new OpenAccount("acc-42", "Ada Lovelace", "EUR", 0m, Guid.NewGuid(), At),
        new Deposit("acc-42", 1m, Guid.NewGuid(), At),
        new Withdraw("acc-42", 1m, Guid.NewGuid(), At),
        new CloseAccount("acc-42", Guid.NewGuid(), At),
        new GetAccount("acc-42"),
    };

    private static string ShardOf(IMessageExtractor extractor, object message) => extractor.ShardId(extractor.EntityId(message)!, message);

    [Theory]
    [MemberData(nameof(AccountMessages))]
    public void Every_account_message_goes_to_its_account_unchanged(object message)
    {
        var extractor = new AccountMessageExtractor(100);

        Assert.Equal("acc-42", extractor.EntityId(message));
        Assert.Same(message, extractor.EntityMessage(message));
        Assert.Equal(ShardOf(extractor, new GetAccount("acc-42")), ShardOf(extractor, message));
    }

    [Fact]
    public void Two_extractors_agree_on_every_account_shard()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => $"acc-{i}").ToList();
        var one = new AccountMessageExtractor(100);
        var other = new AccountMessageExtractor(100);

        var shards = ids.Select(id => ShardOf(one, new GetAccount(id))).ToList();

        Assert.Equal(shards, ids.Select(id => ShardOf(other, new Deposit(id, 1m, Guid.NewGuid(), At))));
        Assert.All(shards, shard => Assert.InRange(int.Parse(shard), 0, 99));
        Assert.True(shards.Distinct().Count() > 90, "1,000 accounts should use nearly all of 100 shards.");
    }

    // Shards are placed by id across restarts and nodes: these values were computed once and must never change (a
    // process-dependent hash such as string.GetHashCode would break them).
    [Theory]
    [InlineData("acc-1", "36")]
    [InlineData("acc-42", "11")]
    [InlineData("0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01", "58")]
    public void An_account_shard_never_changes(string accountId, string shard)
    {
        Assert.Equal(shard, ShardOf(new AccountMessageExtractor(100), new GetAccount(accountId)));
    }

    [Fact]
    public void Messages_of_other_types_have_no_account()
    {
        var extractor = new AccountMessageExtractor(100);

        Assert.Null(extractor.EntityId("acc-42"));
        Assert.Null(extractor.EntityId(new AccountOpened("acc-42", "Ada Lovelace", "EUR", Guid.NewGuid(), At)));
        Assert.Null(extractor.EntityId(new object()));
    }
}
