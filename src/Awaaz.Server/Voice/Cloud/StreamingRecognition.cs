using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Awaaz.Server.Voice.Cloud;

/// <summary>Connection and resilience settings shared by the streaming STT providers.</summary>
public abstract record StreamingSttSettings
{
    public required string ApiKey { get; init; }

    /// <summary>A keep-alive goes out after this long without anything sent (where the vendor has one).</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Reconnects after a dropped socket before the session fails.</summary>
    public int MaxReconnectAttempts { get; init; } = 4;

    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long disposing waits for the last transcripts after asking the vendor to close.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Audio not yet covered by a final transcript is kept (up to this much) to replay after a reconnect.</summary>
    public TimeSpan MaxReplay { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// One streaming recognition over a vendor WebSocket. A single pump owns the socket: it sends queued audio and
/// control messages, a keep-alive when nothing was sent for a while, and when the socket drops it reconnects
/// with backoff and replays the audio that no final transcript covers yet, then repeats a pending flush/close,
/// so no final is lost. Subclasses speak the vendor's messages.
/// </summary>
internal abstract class StreamingRecognition : ISpeechRecognition
{
    private enum Outgoing { Audio, Flush, Close }

    private readonly record struct Item(Outgoing Kind, long Start = 0, byte[]? Audio = null);

    protected enum ConnectionEnd { Completed, Dropped }

    private readonly StreamingSttSettings _settings;
    private readonly int _bytesPerSecond;
    private readonly Channel<Item> _outgoing = Channel.CreateUnbounded<Item>(); // multi-reader: a wait left over from a dropped connection may still be pending
    private readonly Channel<SpeechRecognitionEvent> _events = Channel.CreateUnbounded<SpeechRecognitionEvent>();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();

    // Audio bookkeeping in absolute byte offsets since the session began (guarded by _gate).
    private readonly List<byte> _unsettled = []; // audio from _unsettledStart that no final transcript covers yet
    private long _unsettledStart;
    private long _received;         // audio handed to SendAsync
    private long _connectionStart;  // absolute offset of the current connection's first byte (its time 0)
    private long _sentOnConnection; // absolute offset up to which the current connection has the audio

    private volatile bool _flushPending;
    private long _flushRequests;    // flush items carry their number in Item.Start…
    private long _flushSentUpTo;    // …and the current connection has had those up to this number
    private volatile bool _closeSentOnConnection;
    private volatile bool _closeRequested;
    private volatile bool _closeAcknowledged;
    private ClientWebSocket? _socket;
    private Task? _run;
    private Exception? _failure;
    private int _disposed;

    protected StreamingRecognition(StreamingSttSettings settings, int bytesPerSecond, ILogger logger) =>
        (_settings, _bytesPerSecond, Logger) = (settings, bytesPerSecond, logger);

    protected ILogger Logger { get; }
    protected abstract string Provider { get; }
    protected bool CloseRequested => _closeRequested;

    /// <summary>Reconnects so far; for logs and tests.</summary>
    public int Reconnects { get; private set; }

    protected abstract Task<ClientWebSocket> ConnectAsync(CancellationToken ct);
    protected abstract byte[] Encode(ReadOnlySpan<short> pcm);
    protected abstract Task SendAudioAsync(ClientWebSocket socket, ReadOnlyMemory<byte> audio, CancellationToken ct);
    protected abstract Task SendFlushAsync(ClientWebSocket socket, CancellationToken ct);

    /// <summary>Asks the vendor to finish and close; the pump then waits for the close (or <see cref="CloseAcknowledged"/>).</summary>
    protected abstract Task SendCloseAsync(ClientWebSocket socket, CancellationToken ct);

    /// <summary>Null when the vendor has no keep-alive message.</summary>
    protected abstract Task? SendKeepAliveAsync(ClientWebSocket socket, CancellationToken ct);

    /// <summary>One text message from the vendor.</summary>
    protected abstract void Handle(byte[] json);

    /// <summary>A close frame the vendor sent unasked: a fatal error, or null for a drop worth a reconnect.</summary>
    protected virtual CloudProviderException? ClassifyClose(WebSocketCloseStatus? status, string? description) => null;

    protected void Emit(SpeechRecognitionEvent recognized) => _events.Writer.TryWrite(recognized);

    protected void FlushAnswered() => _flushPending = false;

    /// <summary>The vendor confirmed the close: every final is in.</summary>
    protected void CloseAcknowledged() => _closeAcknowledged = true;

    public async Task StartAsync(CancellationToken ct)
    {
        _socket = await ConnectAsync(ct);
        _run = Task.Run(RunAsync);
    }

    public ValueTask SendAsync(ReadOnlyMemory<short> pcm, CancellationToken ct)
    {
        ThrowIfUnusable();
        if (pcm.IsEmpty) return ValueTask.CompletedTask;
        var audio = Encode(pcm.Span);
        long start;
        lock (_gate)
        {
            start = _received;
            _received += audio.Length;
            _unsettled.AddRange(audio);
            var overflow = _unsettled.Count - (int)(_settings.MaxReplay.TotalSeconds * _bytesPerSecond);
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
        _flushPending = true;
        _outgoing.Writer.TryWrite(new Item(Outgoing.Flush, Interlocked.Increment(ref _flushRequests)));
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
        _outgoing.Writer.TryWrite(new Item(Outgoing.Close));
        _outgoing.Writer.TryComplete();
        if (_run is not null)
        {
            try
            {
                await _run.WaitAsync(_settings.CloseTimeout);
            }
            catch (TimeoutException)
            {
                Logger.LogWarning("{Provider} did not close the stream within {Seconds} s; closing it", Provider, _settings.CloseTimeout.TotalSeconds);
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

    /// <summary>Audio up to <paramref name="seconds"/> of this connection is transcribed for good: no replay needed.</summary>
    protected void Settle(double seconds)
    {
        lock (_gate) SettleTo(_connectionStart + (long)Math.Round(seconds * _bytesPerSecond));
    }

    /// <summary>Everything sent on this connection so far is transcribed for good (vendors without timings).</summary>
    protected void SettleAllSent()
    {
        lock (_gate) SettleTo(_sentOnConnection);
    }

    private void SettleTo(long settled)
    {
        var drop = (int)Math.Clamp(settled - _unsettledStart, 0, _unsettled.Count);
        _unsettled.RemoveRange(0, drop);
        _unsettledStart += drop;
    }

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
            Logger.LogWarning("{Provider} recognition failed: {Message}", Provider, e.Message);
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
                if (!await TrySendAsync(() => SendKeepAliveAsync(socket, token) ?? Task.CompletedTask)) return ConnectionEnd.Dropped;
                continue;
            }

            if (!more) return await receive; // the close request went out: wait for the last results and the close

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
                await SendAudioAsync(socket, item.Audio.AsMemory((int)(from - item.Start)), ct);
                lock (_gate) _sentOnConnection = Math.Max(_sentOnConnection, end);
                break;
            case Outgoing.Flush when item.Start > _flushSentUpTo:
                await SendFlushAsync(socket, ct);
                _flushSentUpTo = item.Start;
                break;
            case Outgoing.Close when !_closeSentOnConnection:
                _closeSentOnConnection = true; // before sending: the vendor's close may overtake our send returning
                await SendCloseAsync(socket, ct);
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
                    if (ClassifyClose(socket.CloseStatus, socket.CloseStatusDescription) is { } fatal) throw fatal;
                    return _closeSentOnConnection ? ConnectionEnd.Completed : ConnectionEnd.Dropped;
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

    private async Task<ClientWebSocket> ReconnectAsync()
    {
        CloudProviderException? last = null;
        for (var attempt = 1; attempt <= _settings.MaxReconnectAttempts; attempt++)
        {
            await Task.Delay(CloudWebSocket.Backoff(attempt, _settings.ReconnectBaseDelay, _settings.MaxReconnectDelay), _lifetime.Token);
            Reconnects++;
            Logger.LogInformation("{Provider} stream dropped; reconnecting (attempt {Attempt} of {Max})", Provider, attempt, _settings.MaxReconnectAttempts);
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

        throw new CloudProviderException(Provider, CloudProviderErrorKind.Interrupted,
            $"the stream dropped and {_settings.MaxReconnectAttempts} reconnects failed", last);
    }

    /// <summary>Sends the new connection the audio no final covered yet, then repeats a pending flush or close.</summary>
    private async Task ReplayAsync(ClientWebSocket socket)
    {
        byte[] replay;
        lock (_gate)
        {
            replay = _unsettled.ToArray();
            _connectionStart = _unsettledStart;
            _sentOnConnection = _unsettledStart + replay.Length;
        }

        var piece = Math.Max(1, _bytesPerSecond * 2 / 5); // 0.4 s a message
        for (var offset = 0; offset < replay.Length; offset += piece)
            await SendAudioAsync(socket, replay.AsMemory(offset, Math.Min(piece, replay.Length - offset)), _lifetime.Token);
        _closeSentOnConnection = false;
        var flushRequests = Interlocked.Read(ref _flushRequests);
        if (_flushPending)
        {
            await SendFlushAsync(socket, _lifetime.Token);
            _flushSentUpTo = flushRequests;
        }

        if (_closeRequested)
        {
            _closeSentOnConnection = true;
            await SendCloseAsync(socket, _lifetime.Token);
        }
    }
}
