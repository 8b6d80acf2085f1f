using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text;

namespace Awaaz.Server.Voice.Cloud;

/// <summary>WebSocket plumbing shared by the streaming providers: typed upgrade failures, whole-message reads, backoff.</summary>
internal static class CloudWebSocket
{
    /// <summary>
    /// Opens <paramref name="uri"/> with the given headers. An upgrade answered 401/403 is
    /// <see cref="CloudProviderErrorKind.Authentication"/>, 429 rate limited, other 4xx rejected, anything else unavailable.
    /// </summary>
    public static async Task<ClientWebSocket> ConnectAsync(string provider, Uri uri, IEnumerable<KeyValuePair<string, string>> headers,
        TimeSpan timeout, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
        foreach (var (name, value) in headers) socket.Options.SetRequestHeader(name, value);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(uri, deadline.Token);
            return socket;
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or IOException)
        {
            var status = (int)socket.HttpStatusCode;
            var error = socket.HttpResponseHeaders is { } responseHeaders ? VendorErrorHeader(responseHeaders) : null;
            socket.Dispose();
            ct.ThrowIfCancellationRequested();
            var where = $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}";
            var detail = error is null ? "" : $": {error}";
            throw status switch
            {
                401 or 403 => new CloudProviderException(provider, CloudProviderErrorKind.Authentication,
                    $"the API key was rejected (HTTP {status} on the WebSocket upgrade{detail}); check the configured key", e) { StatusCode = status },
                429 => new CloudProviderException(provider, CloudProviderErrorKind.RateLimited, $"rate limited (HTTP 429 on the upgrade{detail})", e) { StatusCode = status },
                >= 400 and < 500 => new CloudProviderException(provider, CloudProviderErrorKind.Rejected, $"upgrade refused with HTTP {status}{detail} ({where})", e) { StatusCode = status },
                > 0 => new CloudProviderException(provider, CloudProviderErrorKind.Unavailable, $"upgrade answered HTTP {status}{detail} ({where})", e) { StatusCode = status },
                _ when e is OperationCanceledException => new CloudProviderException(provider, CloudProviderErrorKind.Timeout,
                    $"no WebSocket connection to {where} within {timeout.TotalSeconds:0.###} s", e),
                _ => new CloudProviderException(provider, CloudProviderErrorKind.Unavailable, $"could not connect to {where}: {e.Message}", e),
            };
        }
    }

    /// <summary>Deepgram's <c>dg-error</c> and similar vendor headers that explain a refused upgrade.</summary>
    private static string? VendorErrorHeader(IReadOnlyDictionary<string, IEnumerable<string>> headers)
    {
        foreach (var name in new[] { "dg-error", "x-error", "x-dg-error" })
            foreach (var (key, values) in headers)
                if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                    return string.Join(" ", values);
        return null;
    }

    /// <summary>One whole message; <see cref="WebSocketMessageType.Close"/> with empty data when the peer closed.</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var message = new MemoryStream();
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                if (result.MessageType == WebSocketMessageType.Close) return (WebSocketMessageType.Close, []);
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage) return (result.MessageType, message.ToArray());
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static Task SendTextAsync(WebSocket socket, string json, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json).AsMemory(), WebSocketMessageType.Text, true, ct).AsTask();

    /// <summary>Closes politely when the socket is still open, else aborts; never throws.</summary>
    public static async Task CloseQuietlyAsync(WebSocket? socket, TimeSpan timeout)
    {
        if (socket is null) return;
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var deadline = new CancellationTokenSource(timeout);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", deadline.Token);
            }
        }
        catch (Exception)
        {
            // the peer is gone already
        }
        finally
        {
            try
            {
                socket.Abort();
                socket.Dispose();
            }
            catch (Exception)
            {
                // already torn down
            }
        }
    }

    /// <summary>Exponential backoff for reconnect attempt <paramref name="attempt"/> (1-based), capped.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan first, TimeSpan max)
    {
        var delay = first * Math.Pow(2, Math.Max(0, attempt - 1));
        return delay < max ? delay : max;
    }
}
