using Bank.Domain;

using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>Listing accounts: filters, order, paging and its bounds.</summary>
public abstract partial class BankReadModelSpecs
{
    /// <summary>Ids that sort differently by byte order and by a linguistic collation ("A-5" &lt; "C-3" &lt; "a-1").</summary>
    private async Task<long> OpenMixedAccountsAsync()
    {
        await Writer.OpenAsync("b-2", owner: "Ada");
        await Writer.OpenAsync("a-1", owner: "Bob");
        await Writer.OpenAsync("C-3", owner: "Ada");
        await Writer.CloseAsync("C-3");
        await Writer.OpenAsync("c-4", owner: "Ada", initialDeposit: 7m);
        await Writer.OpenAsync("A-5", owner: "Bob");
        return await Writer.CloseAsync("A-5");
    }

    private async Task<string[]> IdsAsync(AccountListQuery query) => [.. (await Queries.ListAccountsAsync(query)).Items.Select(a => a.AccountId)];

    [Fact]
    public async Task Accounts_are_listed_in_account_id_byte_order()
    {
        await ProjectedAsync(await OpenMixedAccountsAsync());

        Assert.Equal(["A-5", "C-3", "a-1", "b-2", "c-4"], await IdsAsync(new AccountListQuery()));
        var c4 = (await Queries.ListAccountsAsync(new AccountListQuery())).Items[^1];
        Assert.Equal(await Queries.GetAccountAsync("c-4"), c4);
    }

    [Fact]
    public async Task The_list_filters_by_status_and_by_owner_and_by_both()
    {
        await ProjectedAsync(await OpenMixedAccountsAsync());

        Assert.Equal(["a-1", "b-2", "c-4"], await IdsAsync(new AccountListQuery(Status: AccountStatus.Open)));
        Assert.Equal(["A-5", "C-3"], await IdsAsync(new AccountListQuery(Status: AccountStatus.Closed)));
        Assert.Equal(["C-3", "b-2", "c-4"], await IdsAsync(new AccountListQuery(Owner: "Ada")));
        Assert.Equal(["b-2", "c-4"], await IdsAsync(new AccountListQuery(AccountStatus.Open, "Ada")));
        Assert.Equal(["A-5"], await IdsAsync(new AccountListQuery(AccountStatus.Closed, "Bob")));
        Assert.Empty(await IdsAsync(new AccountListQuery(Owner: "ada"))); // the owner matches exactly
        Assert.Empty(await IdsAsync(new AccountListQuery(Owner: "Nobody")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queries.ListAccountsAsync(new AccountListQuery(Status: AccountStatus.NotOpened)));
    }

    [Fact]
    public async Task Paging_through_the_list_visits_every_account_once_in_a_stable_order()
    {
        var ids = Enumerable.Range(1, 23).Select(i => $"acc-{i:00}").ToArray();
        var shuffled = ids.OrderBy(_ => Random.Shared.Next()).ToArray();
        await Writer.SendAllAsync([.. shuffled.Select((id, i) => Writer.Open(id, owner: i % 2 == 0 ? "Ada" : "Bob"))]);
        var last = await Writer.SendAllAsync([.. ids.Where((_, i) => i % 3 == 0).Select(Writer.Close)]);
        await ProjectedAsync(last);

        var pages = new List<Page<AccountSummary>>();
        for (var offset = 0; offset < 30; offset += 5) pages.Add(await Queries.ListAccountsAsync(new AccountListQuery(Offset: offset, Limit: 5)));

        Assert.Equal([5, 10, 15, 20, null, null], pages.Select(p => p.NextOffset));
        Assert.Equal(ids, pages.SelectMany(p => p.Items).Select(a => a.AccountId));
        Assert.Equal(ids, (await AllAccountsAsync(new AccountListQuery(Limit: 4))).Select(a => a.AccountId));
        Assert.Equal(pages[2].Items, (await Queries.ListAccountsAsync(new AccountListQuery(Offset: 10, Limit: 5))).Items); // the same page again

        var open = await AllAccountsAsync(new AccountListQuery(Status: AccountStatus.Open, Limit: 4));
        Assert.Equal(ids.Where((_, i) => i % 3 != 0), open.Select(a => a.AccountId));
        var adaOpen = await AllAccountsAsync(new AccountListQuery(AccountStatus.Open, "Ada", Limit: 2));
        Assert.Equal(open.Where(a => a.Owner == "Ada"), adaOpen);
    }

    [Fact]
    public async Task The_default_page_holds_a_hundred_accounts_and_the_largest_a_thousand()
    {
        var last = await Writer.SendAllAsync([.. Enumerable.Range(1, 101).Select(i => Writer.Open($"acc-{i:000}"))]);
        await ProjectedAsync(last);

        var page = await Queries.ListAccountsAsync(new AccountListQuery());
        Assert.Equal((BankReadModel.DefaultPageSize, 100, (int?)100), (page.Limit, page.Items.Count, page.NextOffset));
        var largest = await Queries.ListAccountsAsync(new AccountListQuery(Limit: BankReadModel.MaxPageSize));
        Assert.Equal((101, (int?)null), (largest.Items.Count, largest.NextOffset));
        var one = await Queries.ListAccountsAsync(new AccountListQuery(Offset: 100, Limit: 1));
        Assert.Equal(("acc-101", (int?)null), (Assert.Single(one.Items).AccountId, one.NextOffset));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, -1)]
    [InlineData(0, BankReadModel.MaxPageSize + 1)]
    [InlineData(-1, 10)]
    public async Task Pages_outside_the_bounds_are_refused(int offset, int limit)
    {
        await Side.Projection.StartAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queries.ListAccountsAsync(new AccountListQuery(Offset: offset, Limit: limit)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queries.GetTransactionsAsync("acc-1", offset, limit));
    }
}
