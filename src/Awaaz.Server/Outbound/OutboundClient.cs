using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Options;

namespace Awaaz.Server.Outbound;

/// <summary>
/// Why a request to a partner-chosen URL failed, in the wording of partner-api.md §8.9 <c>last_error</c>:
/// <c>blocked target address</c>, <c>timeout after 5000 ms</c>, <c>connection refused</c>, <c>TLS handshake failed</c>,
/// <c>redirect not followed (302)</c>, <c>HTTP 503</c>, …
/// </summary>
public sealed class OutboundException(string error, int? status = null) : Exception(error)
{
    /// <summary>The HTTP status when the server answered (3xx, 4xx, 5xx); otherwise null.</summary>
    public int? Status { get; } = status;
}

/// <summary>A 2xx answer: its status, its body as text (at most <see cref="OutboundClient.MaxResponseBytes"/>) and media type.</summary>
public sealed record OutboundResponse(int Status, string Body, string? MediaType);

/// <summary>
/// The HTTP client for partner-chosen URLs, guarded against SSRF: every connection resolves the host itself and
/// refuses it when any resolved address is not public (<see cref="TargetAddress"/>), so the check applies to the
/// address actually connected to and DNS rebinding cannot bypass it. No proxy, no redirects (a 3xx is an error),
/// no cookies, a deadline per request and a capped response body. <see cref="OutboundOptions.AllowPrivateTargets"/>
/// lifts the address check.
/// </summary>
public sealed class OutboundClient : IDisposable
{
    public const int MaxResponseBytes = 64 * 1024;

    private readonly HttpClient _http;

    public OutboundClient(IOptions<OutboundOptions> options)
    {
        AllowsPrivateTargets = options.Value.AllowPrivateTargets;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false, // a proxy would connect on our behalf, past the address check
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxResponseHeadersLength = 64, // KiB
            ConnectCallback = ConnectAsync,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Awaaz/2");
    }

    public bool AllowsPrivateTargets { get; }

    /// <summary>Sends the request; a 2xx answer is returned, anything else throws <see cref="OutboundException"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled (not the timeout).</exception>
    public async Task<OutboundResponse> SendAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400) throw new OutboundException($"redirect not followed ({status})", status);
            if (status is < 200 or >= 300) throw new OutboundException($"HTTP {status}", status);
            var body = await ReadCappedAsync(response.Content, deadline.Token);
            return new OutboundResponse(status, body, response.Content.Headers.ContentType?.MediaType);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new OutboundException($"timeout after {(int)timeout.TotalMilliseconds} ms");
        }
        catch (HttpRequestException ex)
        {
            throw new OutboundException(Describe(ex));
        }
        catch (IOException)
        {
            throw new OutboundException("connection closed while reading the response");
        }
    }

    private static async Task<string> ReadCappedAsync(HttpContent content, CancellationToken ct)
    {
        if (content.Headers.ContentLength > MaxResponseBytes) throw TooLarge();
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxResponseBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), ct)) > 0) length += read;
        if (length > MaxResponseBytes) throw TooLarge();
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static OutboundException TooLarge() => new($"response body over {MaxResponseBytes} bytes");

    private static string Describe(HttpRequestException ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case BlockedTargetException: return "blocked target address";
                case AuthenticationException: return "TLS handshake failed";
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }: return "connection refused";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }: return "DNS lookup failed";
                case SocketException { SocketErrorCode: SocketError.TimedOut }: return "connection timed out";
                case SocketException { SocketErrorCode: SocketError.NetworkUnreachable or SocketError.HostUnreachable }: return "host unreachable";
            }
        }
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "DNS lookup failed",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.ResponseEnded => "connection closed before a response",
            HttpRequestError.InvalidResponse => "invalid HTTP response",
            _ => "request failed",
        };
    }

    /// <summary>Resolves the host and connects to the resolved addresses only when every one of them is allowed.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        if (!AllowsPrivateTargets && addresses.Any(TargetAddress.IsBlocked)) throw new BlockedTargetException();

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed class BlockedTargetException() : Exception("blocked target address");
}
