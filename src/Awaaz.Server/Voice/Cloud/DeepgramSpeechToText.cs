using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Awaaz.Media;
using Microsoft.Extensions.Logging.Abstractions;

namespace Awaaz.Server.Voice.Cloud;

public sealed record DeepgramSettings
{
    public required string ApiKey { get; init; }

    /// <summary><c>wss://api.deepgram.com</c>; <c>/v1/listen</c> is appended.</summary>
    public Uri BaseUrl { get; init; } = new("wss://api.deepgram.com");

    public string Model { get; init; } = "nova-3";

    /// <summary>Silence (ms) after speech that makes Deepgram send <c>speech_final</c>.</summary>
    public int EndpointingMs { get; init; } = 300;

    /// <summary>Word gap (ms, ≥ 1000) after which Deepgram sends <c>UtteranceEnd</c> when noise hides the silence.</summary>
    public int UtteranceEndMs { get; init; } = 1000;

    /// <summary>A <c>KeepAlive</c> goes out after this long without anything sent (Deepgram closes after 10 s).</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Reconnects after a dropped socket before the session fails.</summary>
    public int MaxReconnectAttempts { get; init; } = 4;

    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long disposing waits for the last finals after <c>CloseStream</c>.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Audio not yet covered by a final result is kept (up to this much) to replay after a reconnect.</summary>
    public TimeSpan MaxReplay { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Deepgram live streaming STT (<c>wss://api.deepgram.com/v1/listen</c>): 8 kHz µ-law audio as binary frames,
/// <c>Results</c>/<c>UtteranceEnd</c>/<c>Metadata</c> JSON back, <c>KeepAlive</c> during silence, <c>Finalize</c>
/// on <see cref="ISpeechRecognition.FlushAsync"/>, <c>CloseStream</c> on dispose. A dropped socket is
/// reconnected with backoff and the audio not yet covered by a final result is replayed, so no final is lost.
/// </summary>
public sealed class DeepgramSpeechToText(DeepgramSettings settings, ILogger? logger = null) : ISpeechToText
{
    public const string ProviderName = "deepgram";

    public string Name => ProviderName;

    public async Task<ISpeechRecognition> StartAsync(SpeechRecognitionOptions options, CancellationToken ct)
    {
        var session = new DeepgramRecognition(settings, ListenUri(settings, options), logger ?? NullLogger.Instance);
        await session.StartAsync(ct);
        return session;
    }

    internal static Uri ListenUri(DeepgramSettings settings, SpeechRecognitionOptions options)
    {
        var model = options.Model ?? settings.Model;
        var language = options.Language is null or "" or "auto" ? "multi" : options.Language;
        var query = new List<string>
        {
            "encoding=mulaw", "sample_rate=8000", "channels=1",
            "model=" + Uri.EscapeDataString(model), "language=" + Uri.EscapeDataString(language),
            "interim_results=true", "endpointing=" + settings.EndpointingMs, "utterance_end_ms=" + settings.UtteranceEndMs,
            "vad_events=true", "smart_format=true", "punctuate=true",
        };
        // nova-3 boosts phrases with keyterm; older models with keywords.
        var phraseParameter = model.StartsWith("nova-3", StringComparison.Ordinal) ? "keyterm" : "keywords";
        foreach (var phrase in options.Phrases ?? []) query.Add(phraseParameter + "=" + Uri.EscapeDataString(phrase));
        var root = settings.BaseUrl.ToString().TrimEnd('/');
        return new Uri($"{root}/v1/listen?{string.Join('&', query)}");
    }
}

internal sealed class DeepgramRecognition : ISpeechRecognition
{
    private const int BytesPerSecond = 8000; // 8 kHz µ-law, one byte a sample
    private const string KeepAlive = """{"type":"KeepAlive"}""";
    private const string Finalize = """{"type":"Finalize"}""";
    private const string CloseStream = """{"type":"CloseStream"}""";

    private enum Outgoing { Audio, Finalize, CloseStream }

    private readonly record struct Item(Outgoing Kind, long Start = 0, byte[]? Audio = null);

    private enum ConnectionEnd { Completed, Dropped }

    private readonly DeepgramSettings _settings;
    private readonly Uri _uri;
    private readonly ILogger _logger;
    private readonly Channel<Item> _outgoing = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<SpeechRecognitionEvent> _events = Channel.CreateUnbounded<SpeechRecognitionEvent>();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();

    // Audio bookkeeping in absolute byte offsets since the session began (guarded by _gate).
    private readonly List<byte> _unsettled = []; // audio from _unsettledStart not yet covered by a final result
    private long _unsettledStart;
    private long _received;      // audio handed to SendAsync
    private long _connectionStart; // absolute offset of the current connection's first byte (its time 0)
    private long _sentOnConnection; // absolute offset up to which the current connection has the audio

    private volatile bool _finalizePending;
    private long _finalizeRequests;     // Finalize items carry their number in Item.Start
    private long _finalizeSentUpTo;     // …and the current connection has had those up to this number
    private bool _closeSentOnConnection;
    private volatile bool _closeRequested;
    private volatile bool _closeAcknowledged;
    private bool _utteranceOpen;
    private ClientWebSocket? _socket;
    private Task? _run;
    private Exception? _failure;
    private int _disposed;

    public DeepgramRecognition(DeepgramSettings settings, Uri uri, ILogger logger) => (_settings, _uri, _logger) = (settings, uri, logger);

    /// <summary>Reconnects so far; for logs and tests.</summary>
    public int Reconnects { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        _socket = await ConnectAsync(ct);
        _run = Task.Run(RunAsync);
    }

    public ValueTask SendAsync(ReadOnlyMemory<short> pcm, CancellationToken ct)
    {
        ThrowIfUnusable();
        if (pcm.IsEmpty) return ValueTask.CompletedTask;
        var audio = new byte[pcm.Length];
        MuLaw.Encode(pcm.Span, audio);
        long start;
        lock (_gate)
        {
            start = _received;
            _received += audio.Length;
            _unsettled.AddRange(audio);
            var overflow = _unsettled.Count - (int)(_settings.MaxReplay.TotalSeconds * BytesPerSecond);
            if (overflow > 0)
            {
                _unsettled.RemoveRange(0, overflow);
                _unsettledStart += overflow;
            }
        }

        _outgoing.Writer.TryWrite(new Item(Outgoing.Audio, start, audio));
        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken ct)
    {
        ThrowIfUnusable();
        _finalizePending = true;
        _outgoing.Writer.TryWrite(new Item(Outgoing.Finalize, Interlocked.Increment(ref _finalizeRequests)));
        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<SpeechRecognitionEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        while (await WaitForEventAsync(ct))
            while (_events.Reader.TryRead(out var recognized))
                yield return recognized;
    }

    private async Task<bool> WaitForEventAsync(CancellationToken ct)
    {
        try
        {
            return await _events.Reader.WaitToReadAsync(ct);
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _closeRequested = true;
        _outgoing.Writer.TryWrite(new Item(Outgoing.CloseStream));
        _outgoing.Writer.TryComplete();
        if (_run is not null)
        {
            try
            {
                await _run.WaitAsync(_settings.CloseTimeout);
            }
            catch (TimeoutException)
            {
                _logger.LogWarning("Deepgram did not close the stream within {Seconds} s; closing it", _settings.CloseTimeout.TotalSeconds);
            }
        }

        _lifetime.Cancel();
        if (_run is not null) await _run.ContinueWith(_ => { }, TaskScheduler.Default);
        _events.Writer.TryComplete();
        _lifetime.Dispose();
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (_failure is { } failure) throw failure;
    }

    private Task<ClientWebSocket> ConnectAsync(CancellationToken ct) =>
        CloudWebSocket.ConnectAsync(DeepgramSpeechToText.ProviderName, _uri,
            [new("Authorization", "Token " + _settings.ApiKey)], _settings.ConnectTimeout, ct);

    /// <summary>Owns the socket: sends what is queued, reconnects and replays when it drops, ends when the stream is closed.</summary>
    private async Task RunAsync()
    {
        var socket = _socket!;
        try
        {
            while (true)
            {
                var receive = ReceiveLoopAsync(socket);
                var end = await SendLoopAsync(socket, receive);
                if (end == ConnectionEnd.Completed) break;

                await CloudWebSocket.CloseQuietlyAsync(socket, TimeSpan.FromSeconds(1));
                await receive.ContinueWith(_ => { }, TaskScheduler.Default);
                socket = await ReconnectAsync();
                _socket = socket;
            }

            _events.Writer.TryComplete();
        }
        catch (Exception e) when (_lifetime.IsCancellationRequested && e is OperationCanceledException or WebSocketException or IOException)
        {
            _events.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _failure = e;
            _logger.LogWarning("Deepgram session failed: {Message}", e.Message);
            _events.Writer.TryComplete(e);
        }
        finally
        {
            await CloudWebSocket.CloseQuietlyAsync(socket, TimeSpan.FromSeconds(1));
        }
    }

    private async Task<ConnectionEnd> SendLoopAsync(ClientWebSocket socket, Task<ConnectionEnd> receive)
    {
        var reader = _outgoing.Reader;
        var token = _lifetime.Token;
        while (true)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
            idle.CancelAfter(_settings.KeepAliveInterval);
            var ready = reader.WaitToReadAsync(idle.Token).AsTask();
            if (await Task.WhenAny(ready, receive) == receive) return await receive;
            bool more;
            try
            {
                more = await ready;
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                if (!await TrySendAsync(() => CloudWebSocket.SendTextAsync(socket, KeepAlive, token))) return ConnectionEnd.Dropped;
                continue;
            }

            if (!more) return await receive; // CloseStream went out: wait for the last results and the close

            while (reader.TryPeek(out var item))
            {
                if (!await TrySendAsync(() => SendItemAsync(socket, item, token))) return ConnectionEnd.Dropped;
                reader.TryRead(out _);
            }
        }
    }

    private async Task SendItemAsync(ClientWebSocket socket, Item item, CancellationToken ct)
    {
        switch (item.Kind)
        {
            case Outgoing.Audio:
                var end = item.Start + item.Audio!.Length;
                long from;
                lock (_gate) from = Math.Max(item.Start, _sentOnConnection); // a replay may have sent it already
                if (from >= end) return;
                await socket.SendAsync(item.Audio.AsMemory((int)(from - item.Start)), WebSocketMessageType.Binary, true, ct);
                lock (_gate) _sentOnConnection = Math.Max(_sentOnConnection, end);
                break;
            case Outgoing.Finalize when item.Start > _finalizeSentUpTo:
                await CloudWebSocket.SendTextAsync(socket, Finalize, ct);
                _finalizeSentUpTo = item.Start;
                break;
            case Outgoing.CloseStream when !_closeSentOnConnection:
                await CloudWebSocket.SendTextAsync(socket, CloseStream, ct);
                _closeSentOnConnection = true;
                break;
        }
    }

    private async Task<bool> TrySendAsync(Func<Task> send)
    {
        try
        {
            await send();
            return true;
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException
                                  || (e is OperationCanceledException && !_lifetime.IsCancellationRequested))
        {
            return false;
        }
    }

    private async Task<ConnectionEnd> ReceiveLoopAsync(ClientWebSocket socket)
    {
        try
        {
            while (true)
            {
                var (type, data) = await CloudWebSocket.ReceiveAsync(socket, _lifetime.Token);
                if (type == WebSocketMessageType.Close)
                {
                    if (socket.CloseStatus == WebSocketCloseStatus.PolicyViolation)
                        throw new CloudProviderException(DeepgramSpeechToText.ProviderName, CloudProviderErrorKind.Rejected,
                            $"Deepgram closed the stream: {socket.CloseStatusDescription}");
                    return _closeRequested ? ConnectionEnd.Completed : ConnectionEnd.Dropped;
                }

                if (type == WebSocketMessageType.Text) Handle(data);
                if (_closeAcknowledged) return ConnectionEnd.Completed;
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException || (e is OperationCanceledException && !_lifetime.IsCancellationRequested))
        {
            return ConnectionEnd.Dropped;
        }
        catch (OperationCanceledException)
        {
            return ConnectionEnd.Completed;
        }
    }

    private void Handle(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        switch (root.TryGetProperty("type", out var type) ? type.GetString() : null)
        {
            case "Results":
                HandleResults(root);
                break;
            case "UtteranceEnd":
                if (_utteranceOpen)
                {
                    _utteranceOpen = false;
                    _events.Writer.TryWrite(new SpeechRecognitionEvent("", IsFinal: true, EndOfUtterance: true));
                }

                break;
            case "Metadata":
                if (_closeRequested) _closeAcknowledged = true; // CloseStream's answer: every final is in
                break;
            case "SpeechStarted":
                break;
            default:
                _logger.LogDebug("Deepgram sent {Message}", Encoding.UTF8.GetString(json));
                break;
        }
    }

    private void HandleResults(JsonElement root)
    {
        var isFinal = root.TryGetProperty("is_final", out var f) && f.ValueKind == JsonValueKind.True;
        var speechFinal = root.TryGetProperty("speech_final", out var s) && s.ValueKind == JsonValueKind.True;
        var fromFinalize = root.TryGetProperty("from_finalize", out var z) && z.ValueKind == JsonValueKind.True;
        var alternative = root.TryGetProperty("channel", out var channel) && channel.TryGetProperty("alternatives", out var alternatives)
                          && alternatives.GetArrayLength() > 0 ? alternatives[0] : default;
        var transcript = alternative.ValueKind == JsonValueKind.Object && alternative.TryGetProperty("transcript", out var t) ? t.GetString() ?? "" : "";
        double? confidence = alternative.ValueKind == JsonValueKind.Object && alternative.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number
            ? c.GetDouble() : null;

        if (isFinal)
        {
            var end = (root.TryGetProperty("start", out var start) ? start.GetDouble() : 0)
                      + (root.TryGetProperty("duration", out var duration) ? duration.GetDouble() : 0);
            Settle(end);
            if (fromFinalize) _finalizePending = false;
        }

        var endOfUtterance = isFinal && (speechFinal || fromFinalize);
        if (transcript.Length == 0 && !(endOfUtterance && _utteranceOpen)) return;
        if (isFinal) _utteranceOpen = !endOfUtterance;
        _events.Writer.TryWrite(new SpeechRecognitionEvent(transcript, isFinal, endOfUtterance, confidence));
    }

    /// <summary>Audio up to <paramref name="seconds"/> of this connection is transcribed for good: no replay needed.</summary>
    private void Settle(double seconds)
    {
        lock (_gate)
        {
            var settled = _connectionStart + (long)Math.Round(seconds * BytesPerSecond);
            var drop = (int)Math.Clamp(settled - _unsettledStart, 0, _unsettled.Count);
            _unsettled.RemoveRange(0, drop);
            _unsettledStart += drop;
        }
    }

    private async Task<ClientWebSocket> ReconnectAsync()
    {
        CloudProviderException? last = null;
        for (var attempt = 1; attempt <= _settings.MaxReconnectAttempts; attempt++)
        {
            await Task.Delay(CloudWebSocket.Backoff(attempt, _settings.ReconnectBaseDelay, _settings.MaxReconnectDelay), _lifetime.Token);
            Reconnects++;
            _logger.LogInformation("Deepgram stream dropped; reconnecting (attempt {Attempt} of {Max})", attempt, _settings.MaxReconnectAttempts);
            ClientWebSocket socket;
            try
            {
                socket = await ConnectAsync(_lifetime.Token);
            }
            catch (CloudProviderException e) when (e.Kind is not CloudProviderErrorKind.Authentication and not CloudProviderErrorKind.Rejected)
            {
                last = e;
                continue;
            }

            if (await TrySendAsync(() => ReplayAsync(socket))) return socket;
            await CloudWebSocket.CloseQuietlyAsync(socket, TimeSpan.FromSeconds(1));
        }

        throw new CloudProviderException(DeepgramSpeechToText.ProviderName, CloudProviderErrorKind.Interrupted,
            $"the stream dropped and {_settings.MaxReconnectAttempts} reconnects failed", last);
    }

    /// <summary>Sends the new connection the audio no final covered yet, then re-asks for what was pending.</summary>
    private async Task ReplayAsync(ClientWebSocket socket)
    {
        byte[] replay;
        lock (_gate)
        {
            replay = _unsettled.ToArray();
            _connectionStart = _unsettledStart;
            _sentOnConnection = _unsettledStart + replay.Length;
        }

        for (var offset = 0; offset < replay.Length; offset += 3200)
            await socket.SendAsync(replay.AsMemory(offset, Math.Min(3200, replay.Length - offset)), WebSocketMessageType.Binary, true, _lifetime.Token);
        _closeSentOnConnection = false;
        var finalizeRequests = Interlocked.Read(ref _finalizeRequests);
        if (_finalizePending)
        {
            await CloudWebSocket.SendTextAsync(socket, Finalize, _lifetime.Token);
            _finalizeSentUpTo = finalizeRequests;
        }

        if (_closeRequested)
        {
            await CloudWebSocket.SendTextAsync(socket, CloseStream, _lifetime.Token);
            _closeSentOnConnection = true;
        }
    }
}
