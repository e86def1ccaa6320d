using Xunit.Sdk;

namespace Actors.TestKit;

/// <summary>An expectation of the test kit that did not hold: xunit reports it as a test failure with its message.</summary>
public sealed class TestKitAssertionException : XunitException
{
    public TestKitAssertionException(string message) : base(message) { }

    public TestKitAssertionException(string message, Exception? innerException) : base(message, innerException) { }
}
