namespace Actors.Hosting.Tests.Hocon;

/// <summary>
/// A process environment variable with a unique name, removed on dispose. Unique names keep
/// tests that run in parallel from seeing each other's variables.
/// </summary>
internal sealed class EnvironmentVariableScope : IDisposable
{
    private EnvironmentVariableScope(string name, string? value)
    {
        Name = name;
        Environment.SetEnvironmentVariable(name, value);
    }

    public string Name { get; }

    /// <summary>A unique name that is set to <paramref name="value"/>.</summary>
    public static EnvironmentVariableScope Set(string value) => new(UniqueName(), value);

    /// <summary>A unique name that is guaranteed not to be set.</summary>
    public static EnvironmentVariableScope Unset() => new(UniqueName(), null);

    public static string UniqueName() => "HOCON_TEST_" + Guid.NewGuid().ToString("N").ToUpperInvariant();

    public void Dispose() => Environment.SetEnvironmentVariable(Name, null);

    /// <summary>A variable whose name the test builds itself, e.g. a unique prefix plus a config key.</summary>
    public sealed class Named(string name, string value) : IDisposable
    {
        private readonly EnvironmentVariableScope _scope = new(name, value);

        public void Dispose() => _scope.Dispose();
    }
}
