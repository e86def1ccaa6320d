using System.Globalization;
using Bank.ReadModels.Projections;

namespace Bank.ReadModels.Tests.Infrastructure;

/// <summary>The raw rows of the read model's tables, every column as stored, in a fixed order: to compare two states exactly.</summary>
public static class ReadModelTables
{
    public static async Task<IReadOnlyList<string>> DumpAsync(ProjectionDatabase database)
    {
        var rows = new List<string>();
        rows.AddRange(await RowsAsync(database, "account_summary", "account_id"));
        rows.AddRange(await RowsAsync(database, "account_transaction", "account_id, version"));
        rows.AddRange(await RowsAsync(database, "bank_totals", "currency"));
        return rows;
    }

    private static Task<List<string>> RowsAsync(ProjectionDatabase database, string table, string orderBy) =>
        database.ReadAsync((session, ct) => session.QueryAsync($"SELECT * FROM {session.Table(table)} ORDER BY {orderBy}", r =>
        {
            var values = new string[r.FieldCount];
            for (var i = 0; i < r.FieldCount; i++) values[i] = r.GetName(i) + "=" + Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture);
            return table + ": " + string.Join(", ", values);
        }, ct), CancellationToken.None);
}
