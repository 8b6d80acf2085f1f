using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Awaaz.Server.Tests.Voice.Cloud;

/// <summary>
/// A vendor's JSON-over-WebSocket endpoint: the upgrade is refused by <c>refuse</c> (auth, given the key the vendor
/// accepts) or accepted, and each accepted connection runs the next scripted handler (or the default one).
/// Connections are recorded.
/// </summary>
public sealed class FakeWebSocketVendor : IAsyncDisposable
{
    private readonly FakeVendorServer _server;
    private readonly ConcurrentQueue<Func<Connection, Task>> _scripts = new();
    private readonly List<Connection> _connections = [];
    private readonly Func<HttpContext, string, Task<bool>> _refuse;
    private readonly Func<Connection, Task> _defaultScript;
    private int _attempts;

    private FakeWebSocketVendor(FakeVendorServer server, string key, Func<HttpContext, string, Task<bool>> refuse, Func<Connection, Task> defaultScript) =>
        (_server, AcceptedKey, _refuse, _defaultScript) = (server, key, refuse, defaultScript);

    /// <summary>The key the vendor accepts; change it to revoke the one a client was configured with.</summary>
    public string AcceptedKey { get; set; }

    public string HttpUrl => _server.BaseUrl;
    public string WebSocketUrl => _server.WebSocketUrl;
    public int Attempts => Volatile.Read(ref _attempts);
    public IReadOnlyList<Connection> Connections { get { lock (_connections) return _connections.ToList(); } }

    /// <param name="route">e.g. <c>/tts/websocket</c>.</param>
    /// <param name="key">The key accepted at first (<see cref="AcceptedKey"/>).</param>
    /// <param name="refuse">Given the accepted key, writes a refusal and returns true when the upgrade must not be accepted.</param>
    public static async Task<FakeWebSocketVendor> StartAsync(string route, string key, Func<HttpContext, string, Task<bool>> refuse, Func<Connection, Task> defaultScript,
        Action<WebApplication>? alsoMap = null)
    {
        FakeWebSocketVendor? fake = null;
        var server = await FakeVendorServer.StartAsync(app =>
        {
            app.Map(route, context => fake!.HandleAsync(context));
            alsoMap?.Invoke(app);
        });
        return fake = new FakeWebSocketVendor(server, key, refuse, defaultScript);
    }

    public void Enqueue(params Func<Connection, Task>[] scripts)
    {
        foreach (var script in scripts) _scripts.Enqueue(script);
    }

    /// <summary>Serves one upgrade request; also mappable onto another fake's server (a vendor host with several endpoints).</summary>
    internal async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _attempts);
        if (!context.WebSockets.IsWebSocketRequest) { context.Response.StatusCode = 400; return; }
        if (await _refuse(context, AcceptedKey)) return;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(context, socket);
        lock (_connections) _connections.Add(connection);
        try
        {
            await (_scripts.TryDequeue(out var script) ? script : _defaultScript)(connection);
        }
        catch (Exception) when (connection.Aborted || context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    public sealed class Connection(HttpContext context, WebSocket socket)
    {
        private readonly List<JsonObject> _received = [];

        public IReadOnlyDictionary<string, string> Query { get; } = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        public IReadOnlyDictionary<string, string> Headers { get; } = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        public string Path { get; } = context.Request.Path.Value ?? "";
        public bool Aborted { get; private set; }
        public IReadOnlyList<JsonObject> Received { get { lock (_received) return _received.ToList(); } }

        /// <summary>The next JSON text message; null once the client closed.</summary>
        public async Task<JsonObject?> ReceiveJsonAsync()
        {
            var buffer = new byte[16 * 1024];
            using var data = new MemoryStream();
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, Waits.Soon(20));
                if (result.MessageType == WebSocketMessageType.Close) return null;
                data.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                if (result.MessageType != WebSocketMessageType.Text) { data.SetLength(0); continue; }
                var message = JsonNode.Parse(data.ToArray())!.AsObject();
                lock (_received) _received.Add(message);
                return message;
            }
        }

        public Task SendJsonAsync(JsonObject message) =>
            socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()).AsMemory(), WebSocketMessageType.Text, true, Waits.Soon()).AsTask();

        public Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string reason = "") =>
            socket.CloseOutputAsync(status, reason, Waits.Soon());

        /// <summary>Resets the TCP connection, as a network failure would.</summary>
        public void Abort()
        {
            Aborted = true;
            context.Abort();
        }
    }

    /// <summary>Stand-in µ-law audio for a word: its UTF-8 bytes repeated to <paramref name="length"/> bytes, so order is checkable.</summary>
    public static byte[] AudioOf(string word, int length = 400)
    {
        var letters = Encoding.UTF8.GetBytes(word);
        return Enumerable.Range(0, length).Select(i => letters[i % letters.Length]).ToArray();
    }
}
