using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Awaaz.Server.Tests.Voice.Cloud;

/// <summary>
/// Deepgram's live endpoint <c>/v1/listen</c>: <c>Authorization: Token</c> checked on the upgrade (401 with
/// Deepgram's <c>INVALID_AUTH</c> body otherwise), binary audio in, text control messages
/// (<c>KeepAlive</c>, <c>Finalize</c>, <c>CloseStream</c>) in, <c>Results</c>/<c>UtteranceEnd</c>/<c>Metadata</c>
/// JSON out. Each connection runs the next scripted <see cref="Connection"/> handler.
/// </summary>
public sealed class FakeDeepgram : IAsyncDisposable
{
    public const string Key = "dg-fake-key-0123456789abcdef";

    private readonly FakeVendorServer _server;
    private readonly ConcurrentQueue<Func<Connection, Task>> _scripts = new();
    private readonly List<Connection> _connections = [];
    private int _upgradeStatus;

    private FakeDeepgram(FakeVendorServer server) => _server = server;

    public string BaseUrl => _server.WebSocketUrl;

    public IReadOnlyList<Connection> Connections { get { lock (_connections) return _connections.ToList(); } }

    /// <summary>The key accepted; change it to revoke <see cref="Key"/>.</summary>
    public string AcceptedKey { get; set; } = Key;

    /// <summary>Upgrade attempts, accepted or not.</summary>
    public int Attempts;

    public static async Task<FakeDeepgram> StartAsync()
    {
        FakeDeepgram? fake = null;
        var server = await FakeVendorServer.StartAsync(app => app.Map("/v1/listen", context => fake!.HandleAsync(context)));
        return fake = new FakeDeepgram(server);
    }

    public void Enqueue(params Func<Connection, Task>[] scripts)
    {
        foreach (var script in scripts) _scripts.Enqueue(script);
    }

    /// <summary>From now on every upgrade is answered with this HTTP status (0 accepts again).</summary>
    public void RefuseUpgrades(int status) => Volatile.Write(ref _upgradeStatus, status);

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref Attempts);
        if (!context.WebSockets.IsWebSocketRequest) { context.Response.StatusCode = 400; return; }
        if (context.Request.Headers.Authorization.ToString() != "Token " + AcceptedKey)
        {
            context.Response.StatusCode = 401;
            context.Response.Headers["dg-error"] = "Invalid credentials.";
            await context.Response.WriteAsJsonAsync(new { err_code = "INVALID_AUTH", err_msg = "Invalid credentials.", request_id = Guid.NewGuid() });
            return;
        }

        if (Volatile.Read(ref _upgradeStatus) is var refused and > 0) { context.Response.StatusCode = refused; return; }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(context, socket);
        lock (_connections) _connections.Add(connection);
        var script = _scripts.TryDequeue(out var next) ? next : Connection.AnswerCloseStream;
        try
        {
            await script(connection);
        }
        catch (Exception) when (connection.Aborted || context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    public sealed record Message(WebSocketMessageType Type, byte[] Data)
    {
        public string Text => Encoding.UTF8.GetString(Data);
        public string? ControlType => Type == WebSocketMessageType.Text ? JsonNode.Parse(Text)?["type"]?.GetValue<string>() : null;
    }

    public sealed class Connection(HttpContext context, WebSocket socket)
    {
        private readonly List<byte> _audio = [];
        private readonly List<Message> _messages = [];

        public IReadOnlyDictionary<string, string> Query { get; } = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        public bool Aborted { get; private set; }

        public byte[] Audio { get { lock (_audio) return _audio.ToArray(); } }
        public IReadOnlyList<Message> Messages { get { lock (_messages) return _messages.ToList(); } }
        public IReadOnlyList<string> ControlMessages => Messages.Where(m => m.Type == WebSocketMessageType.Text).Select(m => m.ControlType!).ToList();

        /// <summary>The next client message (audio is also collected in <see cref="Audio"/>); null once the client closed.</summary>
        public async Task<Message?> ReceiveAsync()
        {
            var buffer = new byte[16 * 1024];
            using var data = new MemoryStream();
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, Waits.Soon(20));
                if (result.MessageType == WebSocketMessageType.Close) return null;
                data.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                var message = new Message(result.MessageType, data.ToArray());
                lock (_messages) _messages.Add(message);
                if (message.Type == WebSocketMessageType.Binary) lock (_audio) _audio.AddRange(message.Data);
                return message;
            }
        }

        /// <summary>Reads until at least <paramref name="bytes"/> of audio arrived.</summary>
        public async Task ReceiveAudioAsync(int bytes)
        {
            while (Audio.Length < bytes)
                if (await ReceiveAsync() is null) throw new InvalidOperationException($"closed after {Audio.Length} of {bytes} audio bytes");
        }

        /// <summary>Reads until a text message of this type.</summary>
        public async Task ReceiveControlAsync(string type)
        {
            while (true)
            {
                var message = await ReceiveAsync() ?? throw new InvalidOperationException($"closed before {type}");
                if (message.ControlType == type) return;
            }
        }

        public Task SendResultsAsync(string transcript, bool isFinal, bool speechFinal = false, double start = 0, double duration = 0,
            bool fromFinalize = false, double confidence = 0.97) =>
            SendAsync(new JsonObject
            {
                ["type"] = "Results", ["channel_index"] = new JsonArray(0, 1), ["duration"] = duration, ["start"] = start,
                ["is_final"] = isFinal, ["speech_final"] = speechFinal, ["from_finalize"] = fromFinalize,
                ["channel"] = new JsonObject
                {
                    ["alternatives"] = new JsonArray(new JsonObject
                    {
                        ["transcript"] = transcript, ["confidence"] = confidence,
                        ["words"] = new JsonArray(transcript.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                            .Select(w => (JsonNode)new JsonObject { ["word"] = w, ["confidence"] = confidence }).ToArray()),
                    }),
                },
                ["metadata"] = new JsonObject { ["request_id"] = "fake-request", ["model_uuid"] = "fake-model" },
            });

        public Task SendUtteranceEndAsync(double lastWordEnd) =>
            SendAsync(new JsonObject { ["type"] = "UtteranceEnd", ["channel"] = new JsonArray(0, 1), ["last_word_end"] = lastWordEnd });

        public Task SendMetadataAsync() =>
            SendAsync(new JsonObject { ["type"] = "Metadata", ["transaction_key"] = "deprecated", ["request_id"] = "fake-request", ["channels"] = 1 });

        public Task SendAsync(JsonObject message) =>
            socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()).AsMemory(), WebSocketMessageType.Text, true, Waits.Soon()).AsTask();

        public async Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string reason = "")
        {
            await socket.CloseOutputAsync(status, reason, Waits.Soon());
        }

        /// <summary>Resets the TCP connection, as a network failure would.</summary>
        public void Abort()
        {
            Aborted = true;
            context.Abort();
        }

        /// <summary>Default script: on <c>CloseStream</c>, answers <c>Metadata</c> and closes.</summary>
        public static async Task AnswerCloseStream(Connection connection)
        {
            await connection.ReceiveControlAsync("CloseStream");
            await connection.SendMetadataAsync();
            await connection.CloseAsync();
        }
    }
}
