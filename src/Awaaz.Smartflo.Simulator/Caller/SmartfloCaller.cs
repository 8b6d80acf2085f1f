using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Awaaz.Media;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Streaming;

namespace Awaaz.Smartflo.Simulator.Caller;

/// <summary>
/// Plays Smartflo's side of one voice-bot call (spec §9, §11, §16.4–16.5): calls the resolver, opens the WebSocket,
/// sends `connected`, `start`, caller `media` in real time and `dtmf`; plays the bot's audio through a
/// <see cref="PlaybackQueue"/> and echoes its marks (§11.5); validates every bot frame; ends with `stop` and a close
/// handshake. Start one with <see cref="Start"/> (or <see cref="RunAsync"/>) and read <see cref="Completion"/>.
/// Times in the result are milliseconds since the resolver request was sent.
/// </summary>
public sealed class SmartfloCaller
{
    private const int MaxViolationsListed = 1000;
    private const int SamplesPerMs = CallerAudio.SampleRate / 1000;

    private readonly CallerOptions _options;
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly Lock _gate = new();
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource<(StreamEndReason Reason, string? Detail)> _end = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly PlaybackQueue _playback;
    private readonly CarrierFrameWriter _writer;

    // Everything below is guarded by _gate.
    private readonly List<StreamEvent> _events = [];
    private readonly List<FrameRecord> _frames = [];
    private readonly List<Violation> _violations = [];
    private readonly Dictionary<ViolationKind, int> _violationCounts = [];
    private readonly List<BotAudioEvent> _botTimeline = [];
    private readonly List<MarkRecord> _marks = [];
    private readonly List<ClearRecord> _clears = [];
    private readonly List<CallerTurnRecord> _turns = [];
    private readonly CallerConversation? _conversation;
    private readonly List<string> _dtmfSent = [];
    private ResolverExchange? _resolver;
    private CallerOutcome _outcome = CallerOutcome.Running;
    private StreamEndReason? _endReason;
    private string? _failure;
    private int? _upgradeStatus;
    private double? _startMs;
    private double? _stopSentMs;
    private string? _stopReason;
    private bool _stopping;
    private bool _closeSent;
    private bool _closedByBot;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeDescription;
    private double? _endedMs;
    private int _callerMediaFrames;
    private int _botFrames, _botMedia, _botMarks, _botClears, _botEnds, _ignored, _inFlightAfterStop;
    private long _botMediaBytes;
    private double? _firstBotAudioMs;
    private long _expectedChunk = 1;
    private volatile bool _startSent;
    private volatile bool _answered;

    private SmartfloCaller(CallerOptions options, CancellationToken cancellationToken)
    {
        if (options.FrameMs is < 10 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "FrameMs must be 10–1000.");
        }

        _options = options;
        _answered = !options.WaitForAnswer;
        _playback = new PlaybackQueue(options.RecordHeardAudio);
        _conversation = options.Conversation is { } conversation ? new CallerConversation(conversation) : null;
        _writer = new CarrierFrameWriter(options.StreamSid, options.AccountSid, options.CallId);
        Completion = RunAsync(cancellationToken);
    }

    /// <summary>Completes with the call's result once the stream has ended (or the resolver/connect failed).</summary>
    public Task<CallerResult> Completion { get; }

    public string CallId => _options.CallId;

    public string StreamSid => _options.StreamSid;

    /// <summary>Starts the call in the background.</summary>
    public static SmartfloCaller Start(CallerOptions options, CancellationToken cancellationToken = default) =>
        new(options, cancellationToken);

    /// <summary>Runs one call to its end.</summary>
    public static Task<CallerResult> RunAsync(CallerOptions options, CancellationToken cancellationToken = default) =>
        Start(options, cancellationToken).Completion;

    /// <summary>Agent-first: the customer answered; caller audio starts now.</summary>
    public void Answer()
    {
        if (!_answered)
        {
            _answered = true;
            Note("customer_answered", null);
        }
    }

    /// <summary>Ends the call: `stop` with <paramref name="stopReason"/>, close, and the completed result.</summary>
    public Task<CallerResult> HangUpAsync(StreamEndReason reason = StreamEndReason.CallerHangup, string stopReason = StopReasons.CallerDisconnected)
    {
        RequestEnd(reason, stopReason);
        return Completion;
    }

    /// <summary>The caller presses keys now (one `dtmf` frame each). Ignored before `start` and after `stop`.</summary>
    public void PressDtmf(string digits)
    {
        lock (_gate)
        {
            foreach (var digit in digits)
            {
                EnqueueDtmfLocked(digit);
            }
        }
    }

    /// <summary>Cheap live counters (for progress displays): bot media frames, marks and violations so far.</summary>
    public CallerCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new CallerCounters(_outcome, _botMedia, _botMarks, _violationCounts.Values.Sum());
            }
        }
    }

    /// <summary>The call as it is now (a copy; heard audio up to the last playback step).</summary>
    public CallerResult Snapshot()
    {
        lock (_gate)
        {
            return BuildResultLocked();
        }
    }

    private double NowMs => Stopwatch.GetElapsedTime(_origin).TotalMilliseconds;

    private long SampleAt(double atMs) => _startMs is { } start ? Math.Max(0, (long)((atMs - start) * SamplesPerMs)) : 0;

    private void RequestEnd(StreamEndReason reason, string? detail) => _end.TrySetResult((reason, detail));

    private async Task<CallerResult> RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var registration = cancellationToken.Register(() => RequestEnd(StreamEndReason.Cancelled, null));
        using var socket = new ClientWebSocket();
        try
        {
            var resolver = await CallResolverAsync(cancellationToken).ConfigureAwait(false);
            if (resolver is null)
            {
                return Finish();
            }

            if (!await ConnectAsync(socket, new Uri(resolver), cancellationToken).ConfigureAwait(false))
            {
                return Finish();
            }

            await StreamAsync(socket).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or HttpRequestException or IOException)
        {
            lock (_gate)
            {
                _failure ??= ex.Message;
                _endReason ??= cancellationToken.IsCancellationRequested ? StreamEndReason.Cancelled : StreamEndReason.StreamLost;
            }
        }

        return Finish();

        CallerResult Finish()
        {
            lock (_gate)
            {
                _stopping = true;
                _endedMs ??= NowMs;
                _playback.Stop(SampleAt(NowMs));
                _outgoing.Writer.TryComplete();
                return BuildResultLocked();
            }
        }
    }

    /// <summary>Resolver call; returns the URL to stream to, or null when the call fails here.</summary>
    private async Task<string?> CallResolverAsync(CancellationToken cancellationToken)
    {
        var exchange = await ResolverClient.CallAsync(new ResolverRequest(
            _options.ResolverUrl, _options.Method, _options.CallId, _options.From, _options.To, _options.Status,
            _options.ResolverDeadline, _options.StrictResolverResponse, _options.AllowLoopbackWs), cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _resolver = exchange;
            if (!exchange.Accepted)
            {
                _outcome = CallerOutcome.ResolverFailed;
                _failure = $"resolver {Snake(exchange.Verdict)}: {exchange.Problem}";
            }
        }

        Note(exchange.Accepted ? "resolver_accepted" : "resolver_failed",
            exchange.Accepted ? $"{exchange.LatencyMs:0} ms → {exchange.WssUrl}" : $"{Snake(exchange.Verdict)}: {exchange.Problem}");
        return exchange.Accepted ? exchange.WssUrl : null;
    }

    private async Task<bool> ConnectAsync(ClientWebSocket socket, Uri url, CancellationToken cancellationToken)
    {
        if (_end.Task.IsCompleted)
        {
            SetOutcome(CallerOutcome.EndedBeforeStream, "the call ended before the stream opened");
            return false;
        }

        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(url, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            var status = (int)socket.HttpStatusCode;
            lock (_gate)
            {
                _upgradeStatus = status == 0 ? null : status;
            }

            var problem = ex is OperationCanceledException && !cancellationToken.IsCancellationRequested
                ? $"no WebSocket upgrade within {_options.ConnectTimeout.TotalMilliseconds:0} ms"
                : status == 0 ? ex.Message : $"upgrade refused with HTTP {status}";
            SetOutcome(CallerOutcome.ConnectFailed, problem);
            Note("connect_failed", problem);
            return false;
        }

        SetOutcome(CallerOutcome.Streamed, null);
        Note("connected", url.GetLeftPart(UriPartial.Path));
        return true;
    }

    private async Task StreamAsync(ClientWebSocket socket)
    {
        using var loops = new CancellationTokenSource();
        var sender = Task.Run(() => SendLoopAsync(socket, loops.Token));
        var receiver = Task.Run(() => ReceiveLoopAsync(socket, loops.Token));
        lock (_gate)
        {
            _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Connected));
            _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Start));
            _startMs = NowMs;
        }

        Note("start", $"streamSid {_options.StreamSid}");
        var media = Task.Run(() => CallerMediaLoopAsync(loops.Token));
        var playback = Task.Run(() => PlaybackLoopAsync(loops.Token));

        var (reason, detail) = await _end.Task.ConfigureAwait(false);
        lock (_gate)
        {
            _endReason = reason;
        }

        _wake.Release();
        switch (reason)
        {
            case StreamEndReason.CallerHangup or StreamEndReason.CallEnded or StreamEndReason.BotEnded or StreamEndReason.MaxDuration or StreamEndReason.Transferred:
                SendStop(detail ?? StopReasons.CallerDisconnected);
                await DrainAsync(sender).ConfigureAwait(false);
                await CloseAsync(socket, receiver, WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
                break;
            case StreamEndReason.BotClosed:
                StopPlayback();
                await DrainAsync(sender).ConfigureAwait(false);
                await CloseAsync(socket, receiver, WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
                break;
            case StreamEndReason.ViolationClose:
                StopPlayback();
                await DrainAsync(sender).ConfigureAwait(false);
                await CloseAsync(socket, receiver, WebSocketCloseStatus.PolicyViolation).ConfigureAwait(false);
                break;
            default:
                lock (_gate)
                {
                    _failure ??= detail;
                }

                StopPlayback();
                socket.Abort();
                break;
        }

        await loops.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(sender, receiver, media, playback).ConfigureAwait(false);
        lock (_gate)
        {
            _endedMs = NowMs;
        }

        Note("ended", Snake(reason));
    }

    /// <summary>Marks due by now are echoed, then `stop`; pending marks are never echoed (§11.5 rule 6).</summary>
    private void SendStop(string reason)
    {
        lock (_gate)
        {
            var now = NowMs;
            SendEchoesLocked(_playback.Stop(SampleAt(now)), now);
            _stopping = true;
            _stopReason = reason;
            _stopSentMs = now;
            _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Stop, Text: reason));
            _outgoing.Writer.TryComplete();
        }

        Note("stop", reason);
    }

    private void StopPlayback()
    {
        lock (_gate)
        {
            _stopping = true;
            _playback.Stop(SampleAt(NowMs));
            _outgoing.Writer.TryComplete();
        }
    }

    private async Task DrainAsync(Task sender)
    {
        await Task.WhenAny(sender, Task.Delay(_options.CloseTimeout)).ConfigureAwait(false);
    }

    /// <summary>Sends our close frame (or answers the bot's) and waits, bounded, for the handshake to finish.</summary>
    private async Task CloseAsync(ClientWebSocket socket, Task receiver, WebSocketCloseStatus status)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            lock (_gate)
            {
                _closeSent = true;
            }

            using var timeout = new CancellationTokenSource(_options.CloseTimeout);
            try
            {
                await socket.CloseOutputAsync(status, status == WebSocketCloseStatus.PolicyViolation ? "protocol violation" : "", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                socket.Abort();
                return;
            }
        }

        if (await Task.WhenAny(receiver, Task.Delay(_options.CloseTimeout)).ConfigureAwait(false) != receiver)
        {
            Note("close_timeout", "no close frame from the bot");
            socket.Abort();
        }

        lock (_gate)
        {
            _closeStatus ??= socket.CloseStatus;
            _closeDescription ??= socket.CloseStatusDescription;
        }

        Note("closed", $"{_closeStatus?.ToString() ?? "aborted"}{(_closedByBot ? " by the bot" : "")}");
    }

    private async Task SendLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        try
        {
            await foreach (var item in _outgoing.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                buffer.ResetWrittenCount();
                string? detail = null;
                switch (item.Kind)
                {
                    case OutgoingKind.Connected:
                        _writer.WriteConnected(buffer);
                        break;
                    case OutgoingKind.Start:
                        _writer.WriteStart(buffer, _options.From, _options.To, _options.Direction, _options.CustomParameters);
                        _startSent = true;
                        break;
                    case OutgoingKind.Media:
                        _writer.WriteMedia(buffer, item.Payload, item.TimestampMs);
                        detail = item.TimestampMs.ToString(CultureInfo.InvariantCulture);
                        break;
                    case OutgoingKind.Dtmf:
                        _writer.WriteDtmf(buffer, item.Text![0]);
                        detail = item.Text;
                        break;
                    case OutgoingKind.Mark:
                        _writer.WriteMark(buffer, item.Text!);
                        detail = item.Text;
                        break;
                    case OutgoingKind.Stop:
                        _writer.WriteStop(buffer, item.Text!);
                        detail = item.Text;
                        break;
                }

                await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
                LogFrame(FrameDirection.ToBot, Snake(item.Kind), buffer.WrittenCount, detail);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                RequestEnd(StreamEndReason.StreamLost, $"send failed: {ex.Message}");
            }
        }
    }

    private async Task ReceiveLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var chunk = new byte[16 * 1024];
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        var tooLarge = false;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(chunk.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    bool byBot;
                    lock (_gate)
                    {
                        byBot = !_closeSent && _stopSentMs is null; // after our stop, the bot closing first only answers it
                        _closedByBot = byBot;
                        _closeStatus = socket.CloseStatus;
                        _closeDescription = socket.CloseStatusDescription;
                    }

                    if (byBot)
                    {
                        Note("bot_closed", $"{socket.CloseStatus} {socket.CloseStatusDescription}".Trim());
                        RequestEnd(StreamEndReason.BotClosed, null);
                    }

                    return;
                }

                if (!tooLarge && message.WrittenCount + result.Count > StreamFrameParser.MaxFrameBytes)
                {
                    tooLarge = true;
                }

                if (!tooLarge)
                {
                    chunk.AsSpan(0, result.Count).CopyTo(message.GetSpan(result.Count));
                    message.Advance(result.Count);
                }

                if (result.EndOfMessage)
                {
                    HandleFrame(result.MessageType, message.WrittenSpan, tooLarge);
                    message.ResetWrittenCount();
                    tooLarge = false;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            if (!cancellationToken.IsCancellationRequested && !_end.Task.IsCompleted)
            {
                RequestEnd(StreamEndReason.StreamLost, $"receive failed: {ex.Message}");
            }
        }
    }

    /// <summary>Caller audio at the configured cadence from `start`, DTMF when due, and the scripted hang-up.</summary>
    private async Task CallerMediaLoopAsync(CancellationToken cancellationToken)
    {
        var frameMs = _options.FrameMs;
        var frameBytes = frameMs * SamplesPerMs;
        var audio = _options.Audio.MuLawBytes;
        var audioPosition = 0;
        var presses = _options.Dtmf.OrderBy(p => p.At).ToList();
        var nextPress = 0;
        var start = _startMs!.Value;
        try
        {
            for (long frame = 1; !_end.Task.IsCompleted; frame++)
            {
                var streamMs = frame * frameMs;
                var wait = start + streamMs - NowMs;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken).ConfigureAwait(false);
                }

                var payload = new byte[frameBytes];
                var take = _answered && _conversation is null ? Math.Min(frameBytes, audio.Length - audioPosition) : 0;
                audio.Span.Slice(audioPosition, take).CopyTo(payload);
                audioPosition += take;
                lock (_gate)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    if (_conversation is not null && _answered)
                    {
                        take = Converse(payload, streamMs - frameMs, start);
                    }

                    payload.AsSpan(take).Fill(MuLaw.Silence);

                    _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Media, payload, streamMs));
                    _callerMediaFrames++;
                    for (; nextPress < presses.Count && presses[nextPress].At.TotalMilliseconds <= streamMs; nextPress++)
                    {
                        EnqueueDtmfLocked(presses[nextPress].Digit);
                    }
                }

                if (_options.HangupAfter is { } hangupAfter && streamMs >= hangupAfter.TotalMilliseconds)
                {
                    RequestEnd(StreamEndReason.CallerHangup, StopReasons.CallerDisconnected);
                }
                else if (streamMs >= _options.MaxDuration.TotalMilliseconds)
                {
                    RequestEnd(StreamEndReason.MaxDuration, StopReasons.CallDisconnected);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The stream is over.
        }
    }

    /// <summary>The conversational caller's next frame (under the gate): what it says, given whether the bot is audible now.</summary>
    private int Converse(byte[] payload, double frameStartMs, double start)
    {
        var now = NowMs;
        SendEchoesLocked(_playback.AdvanceTo(SampleAt(now)), now);
        var frame = _conversation!.Next(frameStartMs, _playback.QueuedBytes > 0, payload);
        if (frame.OnsetMs is { } onset)
        {
            _turns.Add(new CallerTurnRecord(start + onset, frame.BargeIn || _conversation.SpeakingOverBot, null, null, null));
        }

        if (frame.SpeechEndMs is { } end && _turns.Count > 0)
        {
            _turns[^1] = _turns[^1] with { SpeechEndMs = start + end };
        }

        return frame.SpeechBytes;
    }

    /// <summary>Moves the playhead in real time and sends each mark echo when its audio has been played.</summary>
    private async Task PlaybackLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!_end.Task.IsCompleted)
            {
                long? untilMark;
                lock (_gate)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    var now = NowMs;
                    SendEchoesLocked(_playback.AdvanceTo(SampleAt(now)), now);
                    untilMark = _playback.SamplesUntilNextMark;
                }

                var wait = untilMark is { } samples
                    ? TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(samples / (double)SamplesPerMs)))
                    : TimeSpan.FromSeconds(1);
                await _wake.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The stream is over.
        }
    }

    private void HandleFrame(WebSocketMessageType type, ReadOnlySpan<byte> frame, bool tooLarge)
    {
        var at = NowMs;
        lock (_gate)
        {
            _botFrames++;
        }

        if (tooLarge)
        {
            Reject(at, ViolationKind.FrameTooLarge, $"frame larger than {StreamFrameParser.MaxFrameBytes} bytes", null, "?", StreamFrameParser.MaxFrameBytes);
            return;
        }

        if (type == WebSocketMessageType.Binary)
        {
            Reject(at, ViolationKind.BinaryFrame, $"binary frame of {frame.Length} bytes (JSON text frames only)", null, "binary", frame.Length);
            return;
        }

        var parsed = StreamFrameParser.Parse(frame, _options.StreamSid);
        if (!parsed.IsSuccess)
        {
            var kind = parsed.Error.Code switch
            {
                StreamParseErrorCode.InvalidPayload => ViolationKind.PayloadNotBase64,
                StreamParseErrorCode.MissingField => ViolationKind.MissingField,
                StreamParseErrorCode.TooLarge => ViolationKind.FrameTooLarge,
                _ => ViolationKind.InvalidJson,
            };
            Reject(at, kind, parsed.Error.Message, Preview(frame), parsed.Error.EventName ?? "invalid", frame.Length);
            return;
        }

        var message = parsed.Message;
        var eventName = message is UnknownMessage unknown ? unknown.EventName : Snake(message.Event);
        LogFrame(FrameDirection.FromBot, eventName, frame.Length, message switch
        {
            MediaMessage m => m.Chunk?.ToString(CultureInfo.InvariantCulture),
            MarkMessage m => m.Name,
            _ => null,
        });

        if (!_startSent)
        {
            Reject(at, ViolationKind.BeforeStart, $"'{eventName}' before start", Preview(frame));
            return;
        }

        lock (_gate)
        {
            if (_stopSentMs is { } stopAt)
            {
                if (at - stopAt <= _options.AfterStopGrace.TotalMilliseconds)
                {
                    _inFlightAfterStop++;
                    return;
                }

                RejectLocked(at, ViolationKind.AfterStop, $"'{eventName}' {at - stopAt:0} ms after stop", Preview(frame));
                return;
            }
        }

        switch (message)
        {
            case ConnectedMessage:
                Reject(at, ViolationKind.BotSentConnected, "the bot sent 'connected' (only Smartflo sends it)", Preview(frame));
                return;
            case StartMessage:
                Reject(at, ViolationKind.BotSentStart, "the bot sent 'start' (only Smartflo sends it)", Preview(frame));
                return;
            case UnknownMessage or DtmfMessage or StopMessage:
                Reject(at, ViolationKind.UnknownEvent, $"'{eventName}' is not a bot event (media, mark, clear, end)", Preview(frame));
                return;
        }

        if (!string.Equals(message.StreamSid, _options.StreamSid, StringComparison.Ordinal))
        {
            Reject(at, ViolationKind.WrongStreamSid, $"streamSid '{message.StreamSid ?? "(missing)"}', expected '{_options.StreamSid}'", Preview(frame));
            return;
        }

        switch (message)
        {
            case MediaMessage media:
                HandleMedia(media, at, frame);
                break;
            case MarkMessage mark:
                HandleMark(mark.Name, at, frame);
                break;
            case ClearMessage:
                HandleClear(at);
                break;
            case EndMessage:
                lock (_gate)
                {
                    _botEnds++;
                }

                Note("bot_end", null);
                if (_options.HonourEndEvent)
                {
                    RequestEnd(StreamEndReason.BotEnded, StopReasons.CallDisconnected);
                }

                break;
        }
    }

    private void HandleMedia(MediaMessage media, double at, ReadOnlySpan<byte> frame)
    {
        var length = media.Payload.Length;
        lock (_gate)
        {
            if (!media.ChunkIsJsonNumber)
            {
                RejectLocked(at, ViolationKind.ChunkNotInteger, media.Chunk is null ? "media without chunk" : "chunk is not a JSON integer", Preview(frame), countIgnored: false);
            }
            else if (media.Chunk != _expectedChunk)
            {
                RejectLocked(at, ViolationKind.ChunkOutOfSequence, $"chunk {media.Chunk}, expected {_expectedChunk}", Preview(frame), countIgnored: false);
            }

            _expectedChunk = (media.Chunk ?? _expectedChunk) + 1;
            if (!BotFrameWriter.IsValidMediaLength(length))
            {
                RejectLocked(at, ViolationKind.PayloadSize, $"payload of {length} bytes (≥ 160 and a multiple of 160)", Preview(frame), countIgnored: false);
            }

            if (_turns.Count > 0 && _turns[^1] is { SpeechEndMs: { } spokeUntil, ReplyMs: null } turn && at >= spokeUntil)
            {
                SendEchoesLocked(_playback.AdvanceTo(SampleAt(at)), at);
                if (_playback.QueuedBytes == 0)
                {
                    _turns[^1] = turn with { ReplyMs = at };
                }
            }

            _botMedia++;
            _botMediaBytes += length;
            _firstBotAudioMs ??= at - _startMs;
            _botTimeline.Add(new BotAudioEvent(at, BotAudioEventKind.Media, length));
            SendEchoesLocked(_playback.EnqueueAudio(media.Payload.Span, SampleAt(at)), at);
        }
    }

    private void HandleMark(string name, double at, ReadOnlySpan<byte> frame)
    {
        lock (_gate)
        {
            if (name.Length is 0 or > BotFrameWriter.MaxMarkNameLength || name.Any(c => c is < ' ' or > '~'))
            {
                RejectLocked(at, ViolationKind.BadMarkName, "mark names are 1–64 printable ASCII characters", Preview(frame), countIgnored: false);
            }

            _botMarks++;
            _marks.Add(new MarkRecord(name, at, null, null));
            _botTimeline.Add(new BotAudioEvent(at, BotAudioEventKind.Mark, 0));
            SendEchoesLocked(_playback.EnqueueMark(name, SampleAt(at)), at);
        }

        _wake.Release();
    }

    private void HandleClear(double at)
    {
        lock (_gate)
        {
            var outcome = _playback.Clear(SampleAt(at));
            SendEchoesLocked(outcome.Echoes, at);
            _botClears++;
            _clears.Add(new ClearRecord(at, outcome.DiscardedBytes,
                outcome.Echoes.Where(e => e.Kind == MarkEchoKind.Flushed).Select(e => e.Name).ToList()));
            _botTimeline.Add(new BotAudioEvent(at, BotAudioEventKind.Clear, 0));
            if (_turns.Count > 0 && _turns[^1] is { ClearMs: null } turn && at >= turn.OnsetMs)
            {
                _turns[^1] = turn with { ClearMs = at };
            }
        }

        _wake.Release();
    }

    private void SendEchoesLocked(IReadOnlyList<MarkEcho> echoes, double at)
    {
        foreach (var echo in echoes)
        {
            if (_stopping)
            {
                return;
            }

            _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Mark, Text: echo.Name));
            var index = _marks.FindIndex(m => m.Name == echo.Name && m.Echo is null);
            if (index >= 0)
            {
                _marks[index] = _marks[index] with { EchoedMs = at, Echo = echo.Kind };
            }
        }
    }

    private void EnqueueDtmfLocked(char digit)
    {
        if (_stopping || _startMs is null || (!char.IsAsciiDigit(digit) && digit is not '*' and not '#'))
        {
            return;
        }

        _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Dtmf, Text: digit.ToString()));
        _dtmfSent.Add(digit.ToString());
        _events.Add(new StreamEvent(NowMs, "dtmf", digit.ToString()));
    }

    private void Reject(double at, ViolationKind kind, string detail, string? frame, string? logEvent = null, int logBytes = 0)
    {
        if (logEvent is not null)
        {
            LogFrame(FrameDirection.FromBot, logEvent, logBytes, null);
        }

        lock (_gate)
        {
            RejectLocked(at, kind, detail, frame);
        }
    }

    /// <summary>Records a violation; <paramref name="countIgnored"/>: the frame is not played.</summary>
    private void RejectLocked(double at, ViolationKind kind, string detail, string? frame, bool countIgnored = true)
    {
        _violationCounts[kind] = _violationCounts.GetValueOrDefault(kind) + 1;
        if (_violations.Count < MaxViolationsListed)
        {
            _violations.Add(new Violation(at, kind, detail, frame));
        }

        if (countIgnored)
        {
            _ignored++;
        }

        if (_options.ViolationPolicy == ViolationPolicy.Close)
        {
            RequestEnd(StreamEndReason.ViolationClose, $"{Snake(kind)}: {detail}");
        }
    }

    private void LogFrame(FrameDirection direction, string eventName, int bytes, string? detail)
    {
        lock (_gate)
        {
            if (_frames.Count < _options.MaxFrameLog)
            {
                _frames.Add(new FrameRecord(NowMs, direction, eventName, bytes, detail));
            }
        }
    }

    private void Note(string name, string? detail)
    {
        lock (_gate)
        {
            _events.Add(new StreamEvent(NowMs, name, detail));
        }

        _options.OnEvent?.Invoke(name, detail);
    }

    private void SetOutcome(CallerOutcome outcome, string? failure)
    {
        lock (_gate)
        {
            _outcome = outcome;
            _failure = failure ?? _failure;
        }
    }

    private CallerResult BuildResultLocked() => new()
    {
        CallId = _options.CallId,
        StreamSid = _options.StreamSid,
        AccountSid = _options.AccountSid,
        Outcome = _outcome,
        EndReason = _endReason,
        Failure = _failure,
        Resolver = _resolver,
        UpgradeStatus = _upgradeStatus,
        StartedAt = _startedAt,
        StartSentMs = _startMs,
        StreamMs = _startMs is { } start ? (_endedMs ?? NowMs) - start : 0,
        CallerMediaFrames = _callerMediaFrames,
        DtmfSent = [.. _dtmfSent],
        StopReason = _stopReason,
        StopSentMs = _stopSentMs,
        CloseStatus = _closeStatus,
        CloseDescription = _closeDescription,
        ClosedByBot = _closedByBot,
        Bot = new BotFrameCounts(_botFrames, _botMedia, _botMediaBytes, _botMarks, _botClears, _botEnds, _ignored, _inFlightAfterStop),
        FirstBotAudioMs = _firstBotAudioMs,
        BotTimeline = [.. _botTimeline],
        Marks = [.. _marks],
        Clears = [.. _clears],
        Turns = [.. _turns],
        Violations = [.. _violations],
        ViolationCounts = new Dictionary<ViolationKind, int>(_violationCounts),
        Events = [.. _events],
        Frames = [.. _frames],
        PlayedBotBytes = _playback.PlayedBytes,
        DiscardedBotBytes = _playback.DiscardedBytes,
        UnplayedAtStopBytes = _playback.DroppedAtStopBytes,
        MarksDroppedAtStop = _playback.DroppedMarks,
        HeardAudio = _playback.HeardAudio.ToArray(),
    };

    private static string? Preview(ReadOnlySpan<byte> frame)
    {
        var text = Encoding.UTF8.GetString(frame[..Math.Min(frame.Length, 200)]);
        return frame.Length > 200 ? text + "…" : text;
    }

    private static string Snake<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private enum OutgoingKind
    {
        Connected,
        Start,
        Media,
        Dtmf,
        Mark,
        Stop,
    }

    private readonly record struct Outgoing(OutgoingKind Kind, byte[]? Payload = null, long TimestampMs = 0, string? Text = null);
}
