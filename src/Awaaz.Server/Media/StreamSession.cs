using System.Buffers;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Threading.Channels;
using Awaaz.Media;
using Awaaz.Server.Agents;
using Awaaz.Server.Calls;
using Awaaz.Server.Telephony;
using Awaaz.Server.Voice;
using Awaaz.Smartflo.Streaming;

namespace Awaaz.Server.Media;

/// <summary>
/// One Smartflo media stream (smartflo.md §11). Data flows one way: socket → parser/decoder → agent input channel;
/// agent speech → outbound channel → framer → pacer → socket. A single loop writes to the socket; the reader never
/// blocks on the agent. Malformed frames are counted and skipped; the session never crashes on input. Every session
/// ends: stop, close, loss, inactivity (15 s), no start (10 s) or the call's hard deadline.
/// </summary>
public sealed class StreamSession : ILiveCall, ISpeechOutput, ICallActions
{
    private static readonly Meter Meter = new("Awaaz.Media");
    private static readonly Counter<long> Malformed = Meter.CreateCounter<long>("awaaz.media.malformed_frames");
    private static readonly Counter<long> FramesSent = Meter.CreateCounter<long>("awaaz.media.frames_sent");
    private static readonly UpDownCounter<long> Live = Meter.CreateUpDownCounter<long>("awaaz.media.live_streams");
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan InactivityTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan HangupConfirmation = TimeSpan.FromSeconds(10);
    /// <summary>The agent says goodbye at the cap (farewell waits are bounded at 10 s, smartflo.md §11.5); the session ends the call after this regardless.</summary>
    private static readonly TimeSpan FarewellAllowance = TimeSpan.FromSeconds(10);
    private const int InitialReceiveBytes = 4096;

    private readonly WebSocket _socket;
    private readonly StreamGrant _grant;
    private readonly StreamServices _services;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Channel<CallerInput> _input = Channel.CreateBounded<CallerInput>(new BoundedChannelOptions(500) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true });
    private readonly Channel<Outbound> _outbound = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<TranscriptTurn> _transcript = [];
    private readonly List<Utterance> _utterances = [];
    private readonly long _openedAt;
    private long _mediaOrigin;

    private Call? _call;
    private TelephonyConnection? _connection;
    private BotFrameWriter? _writer;
    private OutboundFramer? _framer;
    private PlayoutClock? _clock;
    private CallRecorder? _recorder;
    private string? _recordingPath;
    private long _lastInboundAt;
    private int _utteranceSeq;
    private TaskCompletionSource _clearRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _streamEnd = "closed";
    private string? _stopReason;
    private long _malformed;
    private Task? _agent;
    private volatile bool _stopped;
    /// <summary>When Awaaz ended its part of the call: hang-up requested, or the caller transferred.</summary>
    private DateTimeOffset? _endRequestedAt;
    private readonly Lock _transferGate = new();
    private Task<CallTransfer>? _transfer;
    private volatile bool _transferred;

    public StreamSession(WebSocket socket, StreamGrant grant, StreamServices services)
    {
        _socket = socket;
        _grant = grant;
        _services = services;
        _logger = services.Loggers.CreateLogger<StreamSession>();
        _openedAt = services.Clock.GetTimestamp();
        _mediaOrigin = _openedAt;
        _lastInboundAt = _openedAt;
    }

    public string CallId => _call?.Id ?? _grant.CallId ?? "";
    public bool IsSpeaking
    {
        get
        {
            if (_clock?.IsPlaying == true) return true;
            lock (_utterances) return _utterances.Count > 0; // only utterances still queued or playing are kept
        }
    }

    public async Task RunAsync(CancellationToken aborted)
    {
        using var link = CancellationTokenSource.CreateLinkedTokenSource(aborted, _lifetime.Token);
        var ct = link.Token;
        Live.Add(1);
        var sender = Task.Run(() => SendLoopAsync(ct), CancellationToken.None);
        var supervisor = Task.Run(() => SuperviseAsync(ct), CancellationToken.None);
        try
        {
            if (_connection is null && await _services.Connections.GetByIdAsync(_grant.ConnectionId, ct) is { } connection) _connection = connection;
            if (_connection?.Settings.EffectiveCompat.SendConnectedFirst == true) _outbound.Writer.TryWrite(new Outbound.Connected());
            await ReceiveLoopAsync(ct);
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException ex)
        {
            _streamEnd = "lost";
            _logger.LogWarning("Stream for call {CallId} lost: {Error}", CallId, ex.Message);
        }
        finally
        {
            Live.Add(-1);
            await FinishAsync(sender, supervisor);
        }
    }

    // ---- inbound ---------------------------------------------------------------------------------------------

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        // Smartflo's frames are ~1.2 KB (100 ms of media), so the buffer starts small and grows only for a larger
        // message, up to the 64 KiB limit. (A 64 KiB rent is a 128 KiB array held for the whole call.)
        var buffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBytes);
        try
        {
            while (!ct.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var length = 0;
                var oversized = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    var room = buffer.Length - length;
                    if (room == 0 && !oversized && buffer.Length <= StreamFrameParser.MaxFrameBytes)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, StreamFrameParser.MaxFrameBytes + 1));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                        room = buffer.Length - length;
                    }
                    if (room == 0) { oversized = true; length = 0; room = buffer.Length; }
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length, room), ct);
                    length += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (!_stopped) _streamEnd = _socket.CloseStatus is WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable ? "closed" : "lost";
                    return;
                }
                Interlocked.Exchange(ref _lastInboundAt, _services.Clock.GetTimestamp());
                if (result.MessageType == WebSocketMessageType.Binary || oversized)
                {
                    CountMalformed(oversized ? "frame over 64 KiB" : "binary frame");
                    continue;
                }
                var parsed = StreamFrameParser.Parse(buffer.AsSpan(0, length), _writer?.StreamSid);
                if (parsed.Message is not { } message)
                {
                    CountMalformed(parsed.Error?.Message ?? "unparseable");
                    continue;
                }
                if (await HandleAsync(message, ct)) return;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Returns true when the stream is over.</summary>
    private async Task<bool> HandleAsync(StreamMessage message, CancellationToken ct)
    {
        switch (message)
        {
            case StartMessage start:
                await OnStartAsync(start.StreamSid, start.CallSid, start.From, start.To, start.CustomParameters, ct);
                return _call is null;
            case MediaMessage media:
                if (_writer is null) await OnStartAsync(media.StreamSid, null, null, null, null, ct);
                if (_call is null) return true;
                if (!_transferred) OnMedia(media); // after a transfer the caller talks to someone else: neither heard nor recorded
                return false;
            case DtmfMessage when _transferred:
                return false;
            case DtmfMessage dtmf:
                var at = MediaNow;
                _input.Writer.TryWrite(new CallerDtmf(at, dtmf.Digit));
                AddTurn(new TranscriptTurn("user", "dtmf", dtmf.Digit, _services.Clock.GetUtcNow(), _services.Clock.GetUtcNow(), null, false));
                return false;
            case MarkMessage mark:
                OnMark(mark.Name);
                return false;
            case StopMessage stop:
                _stopped = true;
                _streamEnd = "stop";
                _stopReason = stop.Reason;
                return true;
            default:
                return false; // connected, unknown events
        }
    }

    private async Task OnStartAsync(string? streamSid, string? callSid, string? from, string? to, IReadOnlyDictionary<string, string>? parameters, CancellationToken ct)
    {
        if (_writer is not null || streamSid is null) return;
        _connection ??= await _services.Connections.GetByIdAsync(_grant.ConnectionId, ct);
        var callId = _grant.CallId;
        if (callId is null && _connection is not null)
        {
            // The resolver ran out of time: correlate now with everything known (smartflo.md §12.4).
            var inputs = _grant.Inputs;
            var input = new CorrelationInput([callSid, inputs.CallId], parameters?.GetValueOrDefault("custom_identifier") ?? parameters?.GetValueOrDefault("awaaz_call_id") ?? inputs.CustomIdentifier,
                parameters?.GetValueOrDefault("ref_id") ?? inputs.RefId, from ?? inputs.FromNumber, to ?? inputs.ToNumber);
            var call = await _services.Correlator.FindOutboundAsync(_connection, input, ct)
                ?? (await _services.Correlator.CreateInboundAsync(_connection, input, ct)).Call;
            callId = call?.Id;
        }
        var bound = callId is null ? null : await _services.Calls.GetAsync(callId, ct);
        if (bound is null || bound.IsTerminal || bound.CancelRequested || _connection is null)
        {
            _logger.LogWarning("Stream {StreamSid} matches no live call; closing", streamSid);
            _streamEnd = "rejected";
            await _socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "no call", CancellationToken.None);
            return;
        }
        await _services.Calls.BindProviderIdsAsync(bound.ConnectionId, bound.Id, [callSid], ct);
        _call = await _services.Calls.UpdateAsync(bound.Id, c => CallRules.StreamStarted(c, _services.Clock.GetUtcNow(), streamSid, callSid), ct) ?? bound;
        var compat = _connection.Settings.EffectiveCompat;
        _mediaOrigin = _services.Clock.GetTimestamp(); // media time zero = stream start (Smartflo's media timestamps count from here)
        _writer = new BotFrameWriter(streamSid);
        _framer = new OutboundFramer(_services.Clock, compat.OutboundFrameBytes);
        _clock = new PlayoutClock(_services.Clock, TimeSpan.FromMilliseconds(compat.MaxPlayoutLeadMs));
        var agent = AgentDocument.FromJson(_call.AgentSnapshot);
        if (agent.EnableRecording) StartRecording();
        _services.Live.Add(this);
        _outbound.Writer.TryWrite(new Outbound.Started());
        _agent = Task.Run(() => RunAgentAsync(agent, _lifetime.Token));
    }

    private void OnMedia(MediaMessage media)
    {
        var payload = media.Payload.Span;
        if (payload.Length == 0) return;
        _recorder?.AppendCaller(payload, media.Timestamp, MediaNow);
        var samples = new short[payload.Length];
        MuLaw.Decode(payload, samples);
        var at = media.Timestamp is { } ms ? TimeSpan.FromMilliseconds(ms) : MediaNow;
        _input.Writer.TryWrite(new CallerAudio(at, samples));
    }

    private void OnMark(string name)
    {
        Utterance? done;
        lock (_utterances)
        {
            var index = _utterances.FindIndex(u => u.MarkName == name);
            if (index < 0) return; // flushed by a clear, or not ours
            done = _utterances[index];
            _utterances.RemoveAt(index);
        }
        done.Result.TrySetResult(new SpeechPlayback(true, done.Duration, done.Duration, done.FirstFrameSentAt));
    }

    // ---- outbound --------------------------------------------------------------------------------------------

    private abstract record Outbound
    {
        public sealed record Audio(Utterance Utterance, ReadOnlyMemory<byte> Bytes) : Outbound;
        public sealed record EndOfUtterance(Utterance Utterance) : Outbound;
        public sealed record Clear(TaskCompletionSource Sent) : Outbound;
        public sealed record Started : Outbound;
        public sealed record Connected : Outbound;
        public sealed record End(string? CallSid) : Outbound;
    }

    private sealed class Utterance(int turn)
    {
        public string MarkName { get; } = $"t{turn}.1";
        public TaskCompletionSource<SpeechPlayback> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long StartOffset = -1;
        public long EndOffset = -1;
        public long QueuedBytes;
        public DateTimeOffset? FirstFrameSentAt;
        public TimeSpan Duration => PlayoutClock.DurationOf(EndOffset >= 0 && StartOffset >= 0 ? EndOffset - StartOffset : QueuedBytes);
    }

    public async Task<SpeechPlayback> SpeakAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> mulaw, CancellationToken turn)
    {
        var utterance = new Utterance(Interlocked.Increment(ref _utteranceSeq));
        lock (_utterances) _utterances.Add(utterance);
        try
        {
            await foreach (var chunk in mulaw.WithCancellation(turn))
            {
                if (utterance.Result.Task.IsCompleted) break; // cleared meanwhile
                utterance.QueuedBytes += chunk.Length;
                _outbound.Writer.TryWrite(new Outbound.Audio(utterance, chunk));
            }
            _outbound.Writer.TryWrite(new Outbound.EndOfUtterance(utterance));
        }
        catch (OperationCanceledException) when (turn.IsCancellationRequested)
        {
            _outbound.Writer.TryWrite(new Outbound.EndOfUtterance(utterance));
        }
        catch (Exception)
        {
            // The synthesizer failed mid-utterance: what was queued still plays and ends with its mark, so the session
            // is not left "speaking" forever; the caller decides what to do about the failure.
            _outbound.Writer.TryWrite(new Outbound.EndOfUtterance(utterance));
            throw;
        }
        using var reg = _lifetime.Token.Register(() => utterance.Result.TrySetResult(new SpeechPlayback(false, Heard(utterance), utterance.Duration, utterance.FirstFrameSentAt)));
        return await utterance.Result.Task;
    }

    /// <summary>Completes when the <c>clear</c> has been sent (or the stream ended).</summary>
    public async Task ClearAsync()
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Signalled first: a frame the send loop is pacing is dropped, not sent ahead of the clear.
        Interlocked.Exchange(ref _clearRequested, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        _outbound.Writer.TryWrite(new Outbound.Clear(sent));
        try { await sent.Task.WaitAsync(_lifetime.Token); }
        catch (OperationCanceledException) { }
    }

    private TimeSpan Heard(Utterance u) => u.StartOffset < 0 || _clock is null ? TimeSpan.Zero : _clock.HeardOf(u.StartOffset, u.EndOffset >= 0 ? u.EndOffset : _clock.SentBytes);

    private async Task SendLoopAsync(CancellationToken ct)
    {
        var output = new ArrayBufferWriter<byte>(2048);
        var frame = new byte[OutboundFramer.MaxFrameBytes];
        var owners = new Queue<PendingAudio>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                while (_outbound.Reader.TryRead(out var item))
                {
                    switch (item)
                    {
                        case Outbound.Audio a when !a.Utterance.Result.Task.IsCompleted && _framer is not null:
                            _framer.Append(a.Bytes.Span);
                            owners.Enqueue(new PendingAudio(a.Utterance, a.Bytes.Length));
                            break;
                        case Outbound.EndOfUtterance e when _framer is not null:
                            _framer.CompleteUtterance();
                            owners.Enqueue(new PendingAudio(e.Utterance, -1));
                            break;
                        case Outbound.Clear clear when _framer is not null && _writer is not null:
                            await SendClearAsync(output, owners, ct);
                            clear.Sent.TrySetResult();
                            break;
                        case Outbound.Clear clear:
                            clear.Sent.TrySetResult();
                            break;
                        case Outbound.Connected:
                            output.Clear();
                            BotFrameWriter.WriteConnected(output);
                            await SendAsync(output, ct);
                            break;
                        case Outbound.End end when _writer is not null:
                            output.Clear();
                            _writer.WriteEnd(output, end.CallSid);
                            await SendAsync(output, ct);
                            break;
                    }
                }
                if (_framer is not null && _writer is not null && _clock is not null && !_stopped && _framer.TryTakeFrame(frame, out var taken))
                {
                    var clearRequested = Volatile.Read(ref _clearRequested).Task;
                    if (taken.HasAudio)
                    {
                        var delay = _clock.DelayBeforeSending(taken.Length);
                        if (delay > TimeSpan.Zero)
                        {
                            // A clear ends the wait at once: barge-in latency must not include a frame's pacing delay.
                            await Task.WhenAny(Task.Delay(delay, _services.Clock, ct), clearRequested);
                            ct.ThrowIfCancellationRequested();
                            if (clearRequested.IsCompleted) continue; // a barge-in dropped it
                        }
                        var owner = Attribute(owners, taken.Length);
                        if (owner is not null && owner.StartOffset < 0) { owner.StartOffset = _clock.SentBytes; owner.FirstFrameSentAt = _services.Clock.GetUtcNow(); }
                        output.Clear();
                        _writer.WriteMedia(output, frame.AsSpan(0, taken.Length));
                        await SendAsync(output, ct);
                        var playsAt = _clock.Sent(taken.Length);
                        _recorder?.AppendAgent(frame.AsSpan(0, taken.Length), playsAt);
                        FramesSent.Add(1);
                    }
                    while (taken.EndsUtterance && owners.TryPeek(out var padding) && padding.Remaining > 0) owners.Dequeue(); // tail padding
                    if (taken.EndsUtterance && owners.TryDequeue(out var end) && end.Remaining < 0)
                    {
                        var u = end.Utterance;
                        if (u.StartOffset < 0) u.StartOffset = _clock.SentBytes;
                        u.EndOffset = _clock.SentBytes;
                        output.Clear();
                        _writer.WriteMark(output, u.MarkName);
                        await SendAsync(output, ct);
                    }
                    continue;
                }
                var wait = _framer?.TimeUntilNextFrame();
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (wait is { } w) idle.CancelAfter(w < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : w);
                try { await _outbound.Reader.WaitToReadAsync(idle.Token); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            }
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException ex)
        {
            _logger.LogInformation("Stream for call {CallId}: send failed ({Error})", CallId, ex.Message);
        }
    }

    /// <summary>Audio queued for the framer, by utterance; <see cref="Remaining"/> -1 marks an utterance's end.</summary>
    private sealed class PendingAudio(Utterance utterance, long remaining)
    {
        public Utterance Utterance { get; } = utterance;
        public long Remaining { get; set; } = remaining;
    }

    /// <summary>Which utterance the next <paramref name="bytes"/> of framed audio belong to (frames never span utterances).</summary>
    private static Utterance? Attribute(Queue<PendingAudio> owners, int bytes)
    {
        Utterance? owner = null;
        while (bytes > 0 && owners.TryPeek(out var head) && head.Remaining >= 0)
        {
            owner ??= head.Utterance;
            var take = (int)Math.Min(bytes, head.Remaining);
            bytes -= take;
            head.Remaining -= take;
            if (head.Remaining > 0) break;
            owners.Dequeue();
        }
        return owner ?? (owners.TryPeek(out var next) ? next.Utterance : null);
    }

    private async Task SendClearAsync(ArrayBufferWriter<byte> output, Queue<PendingAudio> owners, CancellationToken ct)
    {
        _framer!.Clear();
        owners.Clear();
        var played = _clock!.Clear();
        _recorder?.TruncateAgent(MediaNow);
        output.Clear();
        _writer!.WriteClear(output);
        await SendAsync(output, ct);
        // Marks still pending now are flushed: their echoes will mean "not played" (§11.5).
        List<Utterance> pending;
        lock (_utterances)
        {
            pending = [.. _utterances];
            _utterances.Clear();
        }
        foreach (var u in pending)
            u.Result.TrySetResult(new SpeechPlayback(false, Heard(u), u.Duration, u.FirstFrameSentAt));
        _logger.LogDebug("Call {CallId}: clear sent at played offset {Played}", CallId, played);
    }

    private Task SendAsync(ArrayBufferWriter<byte> output, CancellationToken ct) =>
        _socket.State == WebSocketState.Open ? _socket.SendAsync(output.WrittenMemory, WebSocketMessageType.Text, true, ct).AsTask() : Task.CompletedTask;

    // ---- agent, supervision and ending -------------------------------------------------------------------------

    private async Task RunAgentAsync(AgentDocument agent, CancellationToken ct)
    {
        var context = new ConversationContext(_call!, agent, _input.Reader, this, this,
            AddTurn,
            _services.Clock, _logger);
        try
        {
            await _services.Engines.For(agent).RunAsync(context, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Agent of call {CallId} failed; ending the call", CallId);
            await ((ICallActions)this).ReportFailureAsync($"voice agent failed ({ex.GetType().Name})");
            await EndAsync(EndReasons.Failed, graceful: false);
        }
    }

    /// <summary>Checks once a second: no start within 10 s, 15 s without inbound messages, the call's hard deadline, and hang-up confirmation.</summary>
    private async Task SuperviseAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _services.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = _services.Clock.GetTimestamp();
                if (_call is null && _services.Clock.GetElapsedTime(_openedAt, now) > StartTimeout)
                {
                    _streamEnd = "never_started";
                    await AbortAsync(WebSocketCloseStatus.InternalServerError, "stream did not start");
                    return;
                }
                if (_call is not null && _services.Clock.GetElapsedTime(Interlocked.Read(ref _lastInboundAt), now) > InactivityTimeout)
                {
                    _streamEnd = "lost";
                    _logger.LogWarning("Call {CallId}: no message from Smartflo for 15 s; treating the stream as lost", CallId);
                    await _services.Control.HangupAsync(_call, EndReasons.StreamLost, CancellationToken.None);
                    await AbortAsync(WebSocketCloseStatus.NormalClosure, "inactive");
                    return;
                }
                if (_call?.StartedAt is { } started && _endRequestedAt is null && _transfer is not { IsCompleted: false }
                    && _services.Clock.GetUtcNow() >= started.AddSeconds(_call.MaxDurationSecs) + FarewellAllowance)
                {
                    _logger.LogInformation("Call {CallId} passed its {Max} s cap without the agent ending it; ending it", CallId, _call.MaxDurationSecs);
                    _ = EndAsync(EndReasons.MaxDuration, graceful: false);
                }
                if (_endRequestedAt is { } requested && _services.Clock.GetUtcNow() - requested > HangupConfirmation)
                {
                    // After a transfer Smartflo is expected to stop the stream; if it keeps it open, close it (never hang up).
                    if (_transferred) _logger.LogInformation("Call {CallId}: no stop within 10 s of the transfer; closing the stream", CallId);
                    await AbortAsync(WebSocketCloseStatus.NormalClosure, _transferred ? "call transferred" : "call ended");
                    return;
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private void AddTurn(TranscriptTurn turn)
    {
        lock (_transcript) _transcript.Add(turn);
        if (_call is { } call) _services.Transcripts.Publish(new TranscriptTurnAdded(call.Id, call.PartnerId, turn));
    }

    Task ICallActions.EndCallAsync(string endReason) => EndAsync(endReason, graceful: false);

    Task ICallActions.ReportFailureAsync(string error) =>
        _services.Calls.UpdateAsync(_call!.Id, c => CallRules.PipelineFailed(c, error));

    Task ICallActions.SetVariableAsync(string name, string? value) =>
        _services.Calls.UpdateAsync(_call!.Id, c =>
        {
            var variables = (System.Text.Json.Nodes.JsonObject)c.Variables.DeepClone();
            variables[name] = value;
            return c with { Variables = variables };
        });

    async Task<CallTransfer> ICallActions.TransferAsync(string number, string? note)
    {
        Task<CallTransfer> attempt;
        lock (_transferGate)
            attempt = _transfer is { IsCompleted: false } inFlight ? inFlight : _transfer = TransferOnceAsync(number, note);
        return await attempt;
    }

    private async Task<CallTransfer> TransferOnceAsync(string number, string? note)
    {
        await Task.Yield();
        if (_stopped || _endRequestedAt is not null || _lifetime.IsCancellationRequested)
        {
            var ending = CallTransfer.Failed(number, _services.Clock.GetUtcNow(), TransferFailure.CallNotActive, "The call was already ending", note);
            await _services.Calls.UpdateAsync(_call!.Id, c => CallRules.TransferAttempted(c, ending), CancellationToken.None);
            return ending;
        }
        var outcome = await _services.Control.TransferAsync(_call!, number, note, CancellationToken.None);
        if (outcome.Succeeded)
        {
            _transferred = true;
            _input.Writer.TryComplete(); // the agent stops listening
            _endRequestedAt ??= _services.Clock.GetUtcNow(); // wait for stop (or close after 10 s), without a hang-up
        }
        return outcome;
    }

    public async Task EndAsync(string endReason, bool graceful)
    {
        // A transfer in flight decides first: if it succeeds, hanging up would drop the caller from the new leg.
        if (_transfer is { IsCompleted: false } transfer) await transfer.ContinueWith(_ => { });
        if (_call is null || _endRequestedAt is not null || _transferred) return;
        _endRequestedAt = _services.Clock.GetUtcNow();
        // A graceful end waits for queued speech (bounded), so the caller hears the last words.
        if (graceful)
            for (var i = 0; i < 100 && IsSpeaking && !_lifetime.IsCancellationRequested; i++) await Task.Delay(100);
        await _services.Control.HangupAsync(_call, endReason, CancellationToken.None);
    }

    public async Task SendEndEventAndCloseAsync()
    {
        // `end` asks Smartflo to end the call: never after a transfer, the caller is on the new leg.
        if (!_transferred) _outbound.Writer.TryWrite(new Outbound.End(_call?.StreamCallSid));
        await Task.Delay(200);
        await AbortAsync(WebSocketCloseStatus.NormalClosure, "call ended");
    }

    private async Task AbortAsync(WebSocketCloseStatus status, string description)
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await _socket.CloseOutputAsync(status, description, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException) { }
        await _lifetime.CancelAsync();
    }

    private async Task FinishAsync(Task sender, Task supervisor)
    {
        _input.Writer.TryComplete();
        await _lifetime.CancelAsync();
        await Task.WhenAll(sender, supervisor).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        if (_agent is not null) await _agent.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        _services.Live.Remove(this);
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", new CancellationTokenSource(TimeSpan.FromSeconds(2)).Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException) { }

        _recorder?.Complete(MediaNow);
        _recorder?.Dispose();
        var now = _services.Clock.GetUtcNow();
        if (_call is not null)
        {
            List<TranscriptTurn> transcript;
            // Chronological: a bot turn is written when its playback ends, but it started before input that arrived meanwhile.
            lock (_transcript) transcript = [.. _transcript.OrderBy(t => t.Timestamp)];
            await _services.Calls.UpdateAsync(_call.Id, c => CallRules.WithTranscript(
                CallRules.StreamEnded(c with { RecordingPath = c.RecordingPath ?? _recordingPath }, now, _streamEnd, _stopReason), transcript), CancellationToken.None);
            _services.Transcripts.Publish(new TranscriptClosed(_call.Id, _call.PartnerId));
            if (_streamEnd == "lost" && !_transferred)
                await _services.Control.HangupAsync(_call, EndReasons.StreamLost, CancellationToken.None);
        }
        else if (_grant.CallId is { } callId && _streamEnd == "never_started")
        {
            var call = await _services.Calls.UpdateAsync(callId, c => CallRules.TimedOut(c, now, CallStatus.Failed, "Stream did not start"), CancellationToken.None);
            if (call is not null) await _services.Control.HangupAsync(call, EndReasons.Failed, CancellationToken.None);
        }
        if (_malformed > 0) _logger.LogInformation("Call {CallId}: {Count} malformed frame(s) skipped", CallId, _malformed);
    }

    private void StartRecording()
    {
        try
        {
            var directory = _services.RecordingsDirectory;
            Directory.CreateDirectory(directory);
            _recordingPath = Path.Combine(directory, $"{_call!.SessionId}.wav");
            _recorder = CallRecorder.Create(_recordingPath);
        }
        catch (IOException ex)
        {
            _logger.LogError("Call {CallId}: recording disabled: {Error}", CallId, ex.Message);
            _recordingPath = null;
        }
    }

    private TimeSpan MediaNow => _services.Clock.GetElapsedTime(_mediaOrigin);

    private void CountMalformed(string why)
    {
        Malformed.Add(1);
        if (Interlocked.Increment(ref _malformed) == 1) _logger.LogWarning("Call {CallId}: skipped a malformed frame ({Why})", CallId, why);
    }
}
