using System.Buffers.Text;
using System.Net;
using System.Runtime.CompilerServices;
using System.Net.Sockets;
using System.Text;

namespace Actors.Benchmarks.Http;

/// <summary>
/// One keep-alive HTTP/1.1 connection of the load generator, as lean as wrk's or bombardier's: the request is written
/// as bytes into a reusable buffer, the response is read into another, and the parser only looks at what the load
/// needs (the status line, <c>Content-Length</c>, <c>Transfer-Encoding: chunked</c>, <c>Connection: close</c>) and
/// keeps the body. One request at a time (no pipelining: the server handles one request per connection at a time
/// anyway). Not thread-safe; nothing is allocated per request once the buffers have grown to fit (the async methods use
/// pooled builders).
/// </summary>
public sealed class RawHttpConnection : IAsyncDisposable
{
    private const int MaxBuffer = 16 * 1024 * 1024;

    private readonly Func<CancellationToken, ValueTask<Stream>> _connect;
    private readonly byte[] _hostLine;
    private Stream? _stream;
    private byte[] _request = new byte[1024];
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private byte[] _body = new byte[4 * 1024];

    /// <param name="connect">Opens the transport (a new one after the server closed the connection or an error).</param>
    /// <param name="authority">The Host header's value (host:port).</param>
    /// <param name="bearerToken">Sent as <c>Authorization: Bearer</c> with every request; none when null.</param>
    public RawHttpConnection(Func<CancellationToken, ValueTask<Stream>> connect, string authority, string? bearerToken = null)
    {
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(authority);
        _connect = connect;
        // The fixed header lines of every request, written once.
        _hostLine = Encoding.ASCII.GetBytes($"Host: {authority}\r\n" + (bearerToken is null ? "" : $"Authorization: Bearer {bearerToken}\r\n"));
    }

    /// <summary>A connection to <paramref name="baseAddress"/> over TCP (no TLS), Nagle off.</summary>
    public static RawHttpConnection For(Uri baseAddress, string? bearerToken = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (baseAddress.Scheme != Uri.UriSchemeHttp) throw new ArgumentException($"Only http:// is supported, not {baseAddress.Scheme}://.", nameof(baseAddress));
        EndPoint endPoint = IPAddress.TryParse(baseAddress.IdnHost, out var ip) ? new IPEndPoint(ip, baseAddress.Port) : new DnsEndPoint(baseAddress.IdnHost, baseAddress.Port);
        return new RawHttpConnection(async ct =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endPoint, ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }, baseAddress.Authority, bearerToken);
    }

    /// <summary>The status of the last response.</summary>
    public int Status { get; private set; }

    /// <summary>The body of the last response (decoded when it was chunked); valid until the next request.</summary>
    public ReadOnlySpan<byte> Body => _body.AsSpan(0, BodyLength);

    public int BodyLength { get; private set; }

    /// <summary>Whether the server will close the connection after the last response (a new one is opened for the next request).</summary>
    public bool Closing { get; private set; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>
    /// Writes a request into the connection's buffer; returns its length, to pass to <see cref="SendAsync(int, CancellationToken)"/>.
    /// A body is sent as JSON with its Content-Length; <paramref name="hasBody"/> false sends no body and no Content-Type.
    /// </summary>
    public int WriteRequest(ReadOnlySpan<byte> method, ReadOnlySpan<byte> target, ReadOnlySpan<byte> body, bool hasBody = true)
    {
        var needed = method.Length + target.Length + body.Length + _hostLine.Length + 128;
        if (_request.Length < needed) _request = new byte[Math.Max(needed, _request.Length * 2)];
        var span = _request.AsSpan();
        var n = 0;
        Append(span, ref n, method);
        span[n++] = (byte)' ';
        Append(span, ref n, target);
        Append(span, ref n, " HTTP/1.1\r\n"u8);
        Append(span, ref n, _hostLine);
        if (hasBody)
        {
            Append(span, ref n, "Content-Type: application/json\r\nContent-Length: "u8);
            Utf8Formatter.TryFormat(body.Length, span[n..], out var written);
            n += written;
            Append(span, ref n, "\r\n\r\n"u8);
            Append(span, ref n, body);
        }
        else
        {
            Append(span, ref n, "\r\n"u8);
        }
        return n;
    }

    /// <summary>A request with a string target and body (for set-up and tests; the load loop uses the span overload).</summary>
    public int WriteRequest(string method, string target, string? jsonBody) =>
        WriteRequest(Encoding.ASCII.GetBytes(method), Encoding.UTF8.GetBytes(target), jsonBody is null ? default : Encoding.UTF8.GetBytes(jsonBody), jsonBody is not null);

    /// <summary>
    /// Sends the request written by <see cref="WriteRequest(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, bool)"/>
    /// and reads the whole response; returns its status (also in <see cref="Status"/>), the body is in <see cref="Body"/>.
    /// On an I/O error the connection is dropped (the next request opens a new one) and the error is thrown.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no allocation per request once warm
    public async ValueTask<int> SendAsync(int requestLength, CancellationToken cancellationToken)
    {
        try
        {
            if (_stream is null)
            {
                _stream = await _connect(cancellationToken).ConfigureAwait(false);
                _start = _end = 0;
            }
            await _stream.WriteAsync(_request.AsMemory(0, requestLength), cancellationToken).ConfigureAwait(false);
            await ReadResponseAsync(cancellationToken).ConfigureAwait(false);
            if (Closing) await DropAsync().ConfigureAwait(false);
            return Status;
        }
        catch
        {
            await DropAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => DropAsync();

    private async ValueTask DropAsync()
    {
        var stream = _stream;
        _stream = null;
        _start = _end = 0;
        if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // no allocation per request once warm
    private async ValueTask ReadResponseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int headerLength;
            while ((headerLength = Buffered.IndexOf("\r\n\r\n"u8)) < 0) await FillAsync(cancellationToken).ConfigureAwait(false);
            var (contentLength, chunked) = ParseHead(headerLength);
            _start += headerLength + 4;
            BodyLength = 0;
            if (Status is >= 100 and < 200 and not 101) continue; // 100 Continue and other interim responses: the real one follows

            if (chunked)
            {
                await ReadChunkedAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (contentLength >= 0)
            {
                if (contentLength > MaxBuffer) throw new InvalidDataException("The response body is too large.");
                while (_end - _start < contentLength) await FillAsync(cancellationToken).ConfigureAwait(false);
                AppendBody((int)contentLength);
            }
            else if (Status is not (204 or 304))
            {
                // No length: the body runs until the server closes the connection.
                Closing = true;
                while (await TryFillAsync(cancellationToken).ConfigureAwait(false)) { }
                AppendBody(_end - _start);
            }
            return;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // no allocation per request once warm
    private async ValueTask ReadChunkedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int lineLength;
            while ((lineLength = Buffered.IndexOf("\r\n"u8)) < 0) await FillAsync(cancellationToken).ConfigureAwait(false);
            var size = ParseChunkSize(Buffered[..lineLength]);
            _start += lineLength + 2;
            if (size == 0)
            {
                // Trailers (usually none), up to an empty line.
                while (true)
                {
                    while ((lineLength = Buffered.IndexOf("\r\n"u8)) < 0) await FillAsync(cancellationToken).ConfigureAwait(false);
                    _start += lineLength + 2;
                    if (lineLength == 0) return;
                }
            }
            while (_end - _start < size + 2) await FillAsync(cancellationToken).ConfigureAwait(false);
            if (_buffer[_start + size] != '\r' || _buffer[_start + size + 1] != '\n') throw new InvalidDataException("A chunk does not end with CRLF.");
            AppendBody(size);
            _start += 2;
        }
    }

    private ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    /// <summary>The status line and the headers the parser needs; sets <see cref="Status"/> and <see cref="Closing"/>.</summary>
    private (long ContentLength, bool Chunked) ParseHead(int headerLength)
    {
        var head = _buffer.AsSpan(_start, headerLength);
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        // HTTP/1.1 200 OK
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != ' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out var consumed) || consumed != 3)
            throw new InvalidDataException($"Not an HTTP/1.x status line: '{Encoding.ASCII.GetString(statusLine)}'.");
        Status = status;
        Closing = statusLine[7] == '0'; // HTTP/1.0 closes unless it says keep-alive
        long contentLength = -1;
        var chunked = false;
        var rest = lineEnd < 0 ? default : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out contentLength, out var used) || used != value.Length || contentLength < 0)
                    throw new InvalidDataException($"Bad Content-Length '{Encoding.ASCII.GetString(value)}'.");
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = ContainsIgnoreCase(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (ContainsIgnoreCase(value, "close"u8)) Closing = true;
                else if (ContainsIgnoreCase(value, "keep-alive"u8)) Closing = false;
            }
        }
        return (chunked ? -1 : contentLength, chunked);
    }

    private static bool ContainsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerToken)
    {
        for (var i = 0; i + lowerToken.Length <= value.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(value.Slice(i, lowerToken.Length), lowerToken)) return true;
        }
        return false;
    }

    private static int ParseChunkSize(ReadOnlySpan<byte> line)
    {
        var semicolon = line.IndexOf((byte)';');
        var digits = (semicolon < 0 ? line : line[..semicolon]).Trim(" \t"u8);
        if (digits.IsEmpty || digits.Length > 7 || !Utf8Parser.TryParse(digits, out int size, out var used, 'x') || used != digits.Length)
            throw new InvalidDataException($"Bad chunk size line '{Encoding.ASCII.GetString(line)}'.");
        return size;
    }

    private void AppendBody(int count)
    {
        if (BodyLength + count > _body.Length)
        {
            if (BodyLength + count > MaxBuffer) throw new InvalidDataException("The response body is too large.");
            Array.Resize(ref _body, Math.Max(BodyLength + count, _body.Length * 2));
        }
        _buffer.AsSpan(_start, count).CopyTo(_body.AsSpan(BodyLength));
        BodyLength += count;
        _start += count;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // no allocation per request once warm
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (!await TryFillAsync(cancellationToken).ConfigureAwait(false))
            throw new IOException("The server closed the connection in the middle of a response.");
    }

    /// <summary>Reads more bytes after the buffered ones; false at the end of the stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no allocation per request once warm
    private async ValueTask<bool> TryFillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffered.CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxBuffer) throw new InvalidDataException("The response head is too large.");
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var read = await _stream!.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }

    private static void Append(Span<byte> span, ref int n, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[n..]);
        n += bytes.Length;
    }
}

/// <summary>The load's requests to the bank API, written as bytes.</summary>
public static class BankLoadRequests
{
    /// <summary>POST /accounts/{id}/deposits (or withdrawals) with {"amount":d.dd}, written as bytes into the connection's buffer.</summary>
    public static int WriteChange(RawHttpConnection connection, ReadOnlySpan<byte> accountId, bool deposit, int cents)
    {
        Span<byte> target = stackalloc byte[256];
        var t = 0;
        Append(target, ref t, "/accounts/"u8);
        Append(target, ref t, accountId);
        Append(target, ref t, deposit ? "/deposits"u8 : "/withdrawals"u8);
        Span<byte> body = stackalloc byte[48];
        var b = 0;
        Append(body, ref b, "{\"amount\":"u8);
        Utf8Formatter.TryFormat(cents / 100, body[b..], out var written);
        b += written;
        body[b++] = (byte)'.';
        body[b++] = (byte)('0' + cents % 100 / 10);
        body[b++] = (byte)('0' + cents % 10);
        body[b++] = (byte)'}';
        return connection.WriteRequest("POST"u8, target[..t], body[..b]);

        static void Append(Span<byte> span, ref int n, ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(span[n..]);
            n += bytes.Length;
        }
    }
}
