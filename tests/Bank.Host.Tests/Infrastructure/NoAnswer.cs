using System.Net.Sockets;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>What a client sees when the host it talks to dies or is not up: no answer, so the outcome is unknown.</summary>
internal static class NoAnswer
{
    /// <summary>
    /// HttpClient usually wraps a failed connection in <see cref="HttpRequestException"/>, but a socket that the kill
    /// breaks right after it connected can surface as a bare <see cref="SocketException"/> (its remote end point read)
    /// or <see cref="IOException"/>.
    /// </summary>
    public static bool Is(Exception e) => e is HttpRequestException or SocketException or IOException;
}
