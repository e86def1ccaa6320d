using System.Net;
using System.Text;
using System.Text.Json;
using Actors.Benchmarks.Http;
using Bank.Host.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Bank.Host.Tests;

/// <summary>
/// The HTTP benchmark's lean load generator (tests/Benchmarks/Http/RawHttpConnection.cs, linked into this project): its
/// response parser on canned byte streams cut into small pieces, and on the real host over a real socket (the built host as a process, Kestrel),
/// compared with HttpClient's reading of the same API.
/// </summary>
public sealed class LoadGeneratorTests
{
    [Fact]
    public async Task Reads_Content_Length_and_chunked_bodies_cut_into_pieces_and_interim_responses()
    {
        var responses = "HTTP/1.1 100 Continue\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 11\r\n\r\n{\"a\":12.5}\n"
                        + "HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\n{\"b\":\r\n0B\r\n\"insuffic\"}\r\n0\r\nX-Trailer: 1\r\n\r\n"
                        + "HTTP/1.1 204 No Content\r\n\r\n";
        foreach (var piece in new[] { 1, 3, 7, 4096 })
        {
            var stream = new ScriptedStream(Encoding.ASCII.GetBytes(responses), piece);
            await using var connection = new RawHttpConnection(_ => ValueTask.FromResult<Stream>(stream), "example:80");

            Assert.Equal(200, await connection.SendAsync(connection.WriteRequest("POST", "/a", "{}"), CancellationToken.None));
            Assert.Equal("{\"a\":12.5}\n", connection.BodyText);
            Assert.False(connection.Closing);
            Assert.Equal(409, await connection.SendAsync(connection.WriteRequest("POST", "/b", "{}"), CancellationToken.None));
            Assert.Equal("{\"b\":\"insuffic\"}", connection.BodyText);
            Assert.Equal(204, await connection.SendAsync(connection.WriteRequest("GET", "/c", null), CancellationToken.None));
            Assert.Equal(0, connection.BodyLength);
        }
    }

    [Fact]
    public async Task Writes_the_request_with_its_host_length_and_body()
    {
        var stream = new ScriptedStream("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), 64);
        await using var connection = new RawHttpConnection(_ => ValueTask.FromResult<Stream>(stream), "127.0.0.1:5000");

        await connection.SendAsync(connection.WriteRequest("POST"u8, "/accounts/a-1/deposits"u8, "{\"amount\":1.05}"u8), CancellationToken.None);

        Assert.Equal("POST /accounts/a-1/deposits HTTP/1.1\r\nHost: 127.0.0.1:5000\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"amount\":1.05}",
            Encoding.ASCII.GetString(stream.Written.ToArray()));
    }

    [Fact]
    public async Task Reconnects_after_Connection_close_and_after_a_response_cut_short()
    {
        var scripts = new Queue<string>([
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\ncut",
            "HTTP/1.0 200 OK\r\n\r\nuntil the end",
        ]);
        var connects = 0;
        await using var connection = new RawHttpConnection(_ =>
        {
            connects++;
            return ValueTask.FromResult<Stream>(new ScriptedStream(Encoding.ASCII.GetBytes(scripts.Dequeue()), 5));
        }, "h:1");

        Assert.Equal(200, await connection.SendAsync(connection.WriteRequest("GET", "/", null), CancellationToken.None));
        Assert.True(connection.Closing);
        await Assert.ThrowsAsync<IOException>(async () => await connection.SendAsync(connection.WriteRequest("GET", "/", null), CancellationToken.None));
        Assert.Equal(200, await connection.SendAsync(connection.WriteRequest("GET", "/", null), CancellationToken.None));
        Assert.Equal("until the end", connection.BodyText);
        Assert.Equal(3, connects);
    }

    [Fact]
    public async Task Reads_the_real_hosts_answers_as_HttpClient_does()
    {
        var directory = Path.Combine(Path.GetTempPath(), "bank-host-tests", "raw-" + Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string>
        {
            ["BANK_JOURNAL"] = "sqlite",
            ["BANK_SQLITE"] = $"Data Source={Path.Combine(directory, "data", "bank.db")}",
        };
        var host = await HostProcess.StartAsync(environment, Path.Combine(directory, "host"), TimeSpan.FromSeconds(60));
        try
        {
            var address = host.Address;
            using var client = new HttpClient { BaseAddress = address }.As(TestTokens.Staff);
            await using var raw = RawHttpConnection.For(address, TestTokens.Staff);

            Assert.Equal(201, await raw.SendAsync(raw.WriteRequest("POST", "/accounts", """{"accountId":"raw-1","owner":"Raw","initialDeposit":10.00}"""), default));
            Assert.Equal("raw-1", JsonDocument.Parse(raw.BodyText).RootElement.GetProperty("accountId").GetString());

            Assert.Equal(200, await raw.SendAsync(BankLoadRequests.WriteChange(raw, "raw-1"u8, deposit: true, cents: 1_005), default));
            var afterDeposit = JsonDocument.Parse(raw.BodyText).RootElement;
            Assert.Equal(20.05m, afterDeposit.GetProperty("balance").GetDecimal());

            Assert.Equal(409, await raw.SendAsync(BankLoadRequests.WriteChange(raw, "raw-1"u8, deposit: false, cents: 10_000), default));
            Assert.True(raw.Body.IndexOf("insufficient-funds"u8) >= 0, raw.BodyText);

            Assert.Equal(200, await raw.SendAsync(BankLoadRequests.WriteChange(raw, "raw-1"u8, deposit: false, cents: 5), default));
            Assert.Equal(400, await raw.SendAsync(raw.WriteRequest("POST", "/accounts/raw-1/deposits", """{"amount":"1"}"""), default));
            Assert.Contains("\"field\":\"amount\"", raw.BodyText, StringComparison.Ordinal);
            Assert.Equal(404, await raw.SendAsync(raw.WriteRequest("GET", "/nowhere", null), default));

            // The same account read both ways, on the same connection after all those answers.
            Assert.Equal(200, await raw.SendAsync(raw.WriteRequest("GET", "/accounts/raw-1", null), default));
            var mine = raw.BodyText;
            using var response = await client.GetAsync("/accounts/raw-1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(await response.Content.ReadAsStringAsync(), mine);
            Assert.Equal(20.00m, JsonDocument.Parse(mine).RootElement.GetProperty("balance").GetDecimal());

            // A write answer carries its Content-Length (no chunked encoding) and the API's JSON.
            using var deposit = await client.PostAsync("/accounts/raw-1/deposits", new StringContent("""{"amount":1}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, deposit.StatusCode);
            Assert.Equal("application/json; charset=utf-8", deposit.Content.Headers.ContentType?.ToString());
            var body = await deposit.Content.ReadAsStringAsync();
            Assert.Equal(Encoding.UTF8.GetByteCount(body), deposit.Content.Headers.ContentLength);
            Assert.StartsWith("""{"accountId":"raw-1","owner":"Raw","currency":"EUR","balance":21.00,"status":"open","version":5,""", body, StringComparison.Ordinal);
        }
        finally
        {
            await host.DisposeAsync();
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Answers reads from a script, at most <paramref name="piece"/> bytes at a time; records what is written.</summary>
    private sealed class ScriptedStream(byte[] script, int piece) : Stream
    {
        private int _position;

        public MemoryStream Written { get; } = new();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var count = Math.Min(Math.Min(piece, buffer.Length), script.Length - _position);
            script.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return ValueTask.FromResult(count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
