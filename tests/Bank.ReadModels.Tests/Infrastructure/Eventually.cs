namespace Bank.ReadModels.Tests.Infrastructure;

/// <summary>Awaits a condition with a timeout (polling), instead of sleeping and hoping.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline) Assert.Fail($"Not within {timeout.TotalSeconds:0.#} s: {describe()}");
            await Task.Delay(20);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, describe);
}
