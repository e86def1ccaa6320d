using System.Reflection;

namespace Bank.Domain.Tests;

/// <summary>
/// AccountState writes its equality by hand (it stores its times and its window compactly), so these specs keep that
/// equality honest: every property is a constructor parameter, and states differing in any one of them differ.
/// </summary>
public sealed class AccountStateEqualitySpecs
{
    private static readonly DateTimeOffset Opened = new(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(1));

    private static readonly ConstructorInfo Constructor =
        typeof(AccountState).GetConstructors().Single(c => c.GetParameters().Length > 1);

    [Fact]
    public void Every_public_property_of_the_state_is_a_constructor_parameter()
    {
        var properties = typeof(AccountState).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Order();
        var parameters = Constructor.GetParameters().Select(p => p.Name!).Order();

        Assert.Equal(parameters, properties);
    }

    [Fact]
    public void States_differing_in_any_one_property_are_not_equal()
    {
        var baseline = Arguments();
        var state = Create(baseline);
        Assert.Equal(state, Create(Arguments()));
        Assert.Equal(state.GetHashCode(), Create(Arguments()).GetHashCode());

        var parameters = Constructor.GetParameters();
        for (var i = 0; i < parameters.Length; i++)
        {
            var changed = Arguments();
            changed[i] = OtherValue(parameters[i].ParameterType);
            var other = Create(changed);

            Assert.False(state.Equals(other), $"States differing only in {parameters[i].Name} compare equal.");
        }
    }

    private static AccountState Create(object?[] arguments) => (AccountState)Constructor.Invoke(arguments);

    private static object?[] Arguments()
    {
        var window = IdempotencyWindow.Empty().Remember(new ProcessedCommand(Guid.Parse("00000000-0000-0000-0000-000000000001"), "deposit:5", 1, 5m, AccountStatus.Open));
        return ["acc-1", "Ada", "EUR", 5m, AccountStatus.Open, 1L, Opened, Opened.AddMinutes(1), window];
    }

    private static object? OtherValue(Type type) => type switch
    {
        _ when type == typeof(string) => "other",
        _ when type == typeof(decimal) => 6m,
        _ when type == typeof(AccountStatus) => AccountStatus.Closed,
        _ when type == typeof(long) => 2L,
        _ when type == typeof(DateTimeOffset?) => Opened.AddDays(1),
        _ when type == typeof(IdempotencyWindow) => IdempotencyWindow.Empty().Remember(
            new ProcessedCommand(Guid.Parse("00000000-0000-0000-0000-000000000002"), "deposit:5", 1, 5m, AccountStatus.Open)),
        _ => throw new InvalidOperationException($"No other value for {type.Name}: add one (and check AccountState.Equals)."),
    };
}
