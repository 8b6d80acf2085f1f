using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Awaaz.Smartflo.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>How the fake resolver answers.</summary>
public enum ResolverReply
{
    Accept,
    Decline,
    DeclineWith401,
    Malformed,
    ExtraKey,
    KeysInOtherOrder,
    SuccessAsString,
    HttpScheme,
    WsToOtherHost,
    TextPlainContentType,
    ServerError,
    Slow,
}

public sealed record ResolverHit(string Method, IReadOnlyDictionary<string, string> Query, string? ContentType, string Body);

/// <summary>
/// A tiny voice bot on Kestrel (127.0.0.1:0): a resolver route answering per <see cref="Reply"/> with a one-time
/// `ws://` URL, and a WebSocket route speaking the bot side of spec §11.4. Each accepted socket becomes a
/// <see cref="BotSession"/> run by <see cref="Behaviour"/>.
/// </summary>
public sealed class FakeBot : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte> _tokens = new();
    private readonly Channel<BotSession> _sessions = Channel.CreateUnbounded<BotSession>();
    private int _nextToken;

    private FakeBot(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public string ResolverUrl => BaseUrl + "/api/tata/resolve-wss?secret=s3cret";

    public ResolverReply Reply { get; set; } = ResolverReply.Accept;

    /// <summary>Delay of <see cref="ResolverReply.Slow"/>.</summary>
    public TimeSpan SlowBy { get; set; } = TimeSpan.FromSeconds(3);

    public ConcurrentQueue<ResolverHit> ResolverHits { get; } = new();

    /// <summary>When set, accepted replies carry this URL instead of a fresh one-time URL.</summary>
    public string? FixedWsUrl { get; set; }

    /// <summary>What the bot does once `start` has arrived.</summary>
    public Func<BotSession, Task> Behaviour { get; set; } = _ => Task.CompletedTask;

    /// <summary>Close the socket when `stop` arrives (what Awaaz does, spec §11.6).</summary>
    public bool CloseOnStop { get; set; } = true;

    /// <summary>Sent right after `stop` arrives, before closing (a frame the bot should not send).</summary>
    public string? FrameAfterStop { get; set; }

    /// <summary>Sent as soon as the socket is accepted, before anything is read.</summary>
    public string? SendOnConnect { get; set; }

    public int SessionCount;

    public static async Task<FakeBot> StartAsync(Func<BotSession, Task>? behaviour = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var bot = new FakeBot(app);
        if (behaviour is not null)
        {
            bot.Behaviour = behaviour;
        }

        app.UseWebSockets();
        app.Map("/api/tata/resolve-wss", bot.ResolveAsync);
        app.Map("/stream/{token}", (Func<HttpContext, string, Task>)bot.StreamAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        bot.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return bot;
    }

    /// <summary>The next socket accepted, waiting at most 10 s.</summary>
    public async Task<BotSession> NextSessionAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await _sessions.Reader.ReadAsync(timeout.Token);
    }

    private async Task ResolveAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        ResolverHits.Enqueue(new ResolverHit(
            context.Request.Method,
            context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
            context.Request.ContentType,
            body));

        var token = "tok" + Interlocked.Increment(ref _nextToken);
        _tokens[token] = 0;
        var wsUrl = FixedWsUrl ?? BaseUrl.Replace("http://", "ws://") + "/stream/" + token;
        var (status, contentType, reply) = Reply switch
        {
            ResolverReply.Decline => (200, Json, """{"success":false,"wss_url":"wss://declined.invalid/"}"""),
            ResolverReply.DeclineWith401 => (401, Json, """{"success":false,"wss_url":"wss://declined.invalid/"}"""),
            ResolverReply.Malformed => (200, Json, """{"success":true,"wss_url":"""),
            ResolverReply.ExtraKey => (200, Json, $$"""{"success":true,"wss_url":"{{wsUrl}}","token":"{{token}}"}"""),
            ResolverReply.KeysInOtherOrder => (200, Json, $$"""{"wss_url":"{{wsUrl}}","success":true}"""),
            ResolverReply.SuccessAsString => (200, Json, $$"""{"success":"true","wss_url":"{{wsUrl}}"}"""),
            ResolverReply.HttpScheme => (200, Json, $$"""{"success":true,"wss_url":"{{BaseUrl}}/stream/{{token}}"}"""),
            ResolverReply.WsToOtherHost => (200, Json, $$"""{"success":true,"wss_url":"ws://awaaz.example.com/stream/{{token}}"}"""),
            ResolverReply.TextPlainContentType => (200, "text/plain", $$"""{"success":true,"wss_url":"{{wsUrl}}"}"""),
            ResolverReply.ServerError => (500, "text/html", "<html>oops</html>"),
            _ => (200, Json, $$"""{"success":true,"wss_url":"{{wsUrl}}"}"""),
        };
        if (Reply == ResolverReply.Slow)
        {
            await Task.Delay(SlowBy, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(reply);
    }

    private const string Json = "application/json; charset=utf-8";

    private async Task StreamAsync(HttpContext context, string token)
    {
        if (!context.WebSockets.IsWebSocketRequest || !_tokens.TryRemove(token, out _))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref SessionCount);
        if (SendOnConnect is { } early)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(early), WebSocketMessageType.Text, true, CancellationToken.None);
        }

        var session = new BotSession(socket, this);
        await _sessions.Writer.WriteAsync(session);
        await session.RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One bot-side socket: every frame received (parsed), and the bot's sends (media through <see cref="BotFrameWriter"/>).</summary>
public sealed class BotSession
{
    private readonly WebSocket _socket;
    private readonly FakeBot _bot;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly List<JsonNode> _received = [];
    private readonly TaskCompletionSource<JsonNode> _start = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BotFrameWriter? _writer;

    internal BotSession(WebSocket socket, FakeBot bot)
    {
        _socket = socket;
        _bot = bot;
    }

    public string StreamSid => _writer?.StreamSid ?? "";

    public Exception? BehaviourError { get; private set; }

    /// <summary>Completes when the socket is closed.</summary>
    public Task Finished => _finished.Task;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public IReadOnlyList<JsonNode> Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToList();
            }
        }
    }

    public IReadOnlyList<string> ReceivedEvents => Received.Select(f => f["event"]!.GetValue<string>()).ToList();

    public Task<JsonNode> StartFrame => _start.Task;

    /// <summary>Waits (≤ 10 s) until a received frame matches.</summary>
    public async Task<JsonNode> WaitForAsync(string eventName, Func<JsonNode, bool>? match = null)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var found = Received.FirstOrDefault(f => f["event"]!.GetValue<string>() == eventName && (match?.Invoke(f) ?? true));
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"No '{eventName}' frame within 10 s; got {string.Join(",", ReceivedEvents)}");
    }

    /// <summary>Waits until the caller has sent <paramref name="count"/> media frames.</summary>
    public Task WaitForCallerMediaAsync(int count) =>
        WaitForAsync("media", f => f["media"]!["chunk"]!.GetValue<string>() == count.ToString());

    public Task WaitForEchoAsync(string markName) =>
        WaitForAsync("mark", f => f["mark"]!["name"]!.GetValue<string>() == markName);

    /// <summary><paramref name="bytes"/> of audio all equal to <paramref name="value"/>, in frames of <paramref name="frameBytes"/>.</summary>
    public async Task SendAudioAsync(int bytes, byte value, int frameBytes = 800)
    {
        var frame = new byte[frameBytes];
        frame.AsSpan().Fill(value);
        for (var sent = 0; sent < bytes; sent += frameBytes)
        {
            await SendWithWriterAsync((writer, output) => writer.WriteMedia(output, frame.AsSpan(0, Math.Min(frameBytes, bytes - sent))));
        }
    }

    public Task SendMarkAsync(string name) => SendWithWriterAsync((writer, output) => writer.WriteMark(output, name));

    public Task SendClearAsync() => SendWithWriterAsync((writer, output) => writer.WriteClear(output));

    public Task SendEndAsync() => SendWithWriterAsync((writer, output) => writer.WriteEnd(output, "call"));

    /// <summary>Any text, as is (invalid frames for the validation tests).</summary>
    public Task SendTextAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public Task SendBinaryAsync(byte[] bytes) => SendRawAsync(bytes, WebSocketMessageType.Binary);

    public async Task CloseAsync()
    {
        await _send.WaitAsync();
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bot done", CancellationToken.None);
            }
        }
        finally
        {
            _send.Release();
        }
    }

    internal async Task RunAsync()
    {
        var behaviour = Task.Run(async () =>
        {
            try
            {
                await _start.Task.WaitAsync(TimeSpan.FromSeconds(10));
                await _bot.Behaviour(this);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                BehaviourError = ex;
            }
        });

        var buffer = new byte[64 * 1024];
        var message = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseAsync();
                    break;
                }

                message.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var frame = JsonNode.Parse(message.WrittenSpan)!;
                message.ResetWrittenCount();
                lock (_received)
                {
                    _received.Add(frame);
                }

                switch (frame["event"]!.GetValue<string>())
                {
                    case "start":
                        _writer = new BotFrameWriter(frame["streamSid"]!.GetValue<string>());
                        _start.TrySetResult(frame);
                        break;
                    case "stop":
                        if (_bot.FrameAfterStop is { } late)
                        {
                            await SendTextAsync(late.Replace("{streamSid}", StreamSid));
                        }

                        if (_bot.CloseOnStop)
                        {
                            await CloseAsync();
                        }

                        break;
                }
            }
        }
        catch (WebSocketException)
        {
            // The caller aborted.
        }
        finally
        {
            _start.TrySetCanceled();
            _finished.TrySetResult();
            await behaviour;
        }
    }

    private async Task SendWithWriterAsync(Action<BotFrameWriter, ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        await _send.WaitAsync();
        try
        {
            write(_writer ?? throw new InvalidOperationException("No start yet."), output);
            await _socket.SendAsync(output.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task SendRawAsync(byte[] bytes, WebSocketMessageType type)
    {
        await _send.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, type, true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }
}
