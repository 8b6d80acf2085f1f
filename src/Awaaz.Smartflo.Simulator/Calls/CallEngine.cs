using System.Collections.Concurrent;
using Awaaz.Smartflo.Simulator.Accounts;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Faults;
using Awaaz.Smartflo.Simulator.Webhooks;

namespace Awaaz.Smartflo.Simulator.Calls;

/// <summary>A dial accepted by a click-to-call route.</summary>
internal sealed record OutboundDial(
    string AccountId,
    CallKind Kind,
    PhoneNumber Customer,
    string Did,
    string? AgentNumber,
    string? CustomIdentifier,
    ApiKeyConfig? ApiKey,
    int? CallTimeout,
    int? CustomerRingTimeout,
    bool WithRefId);

/// <summary>Thrown when a call cannot make the asked transition (answering an ended call...).</summary>
public sealed class CallStateException(string message) : InvalidOperationException(message);

/// <summary>
/// Simulated calls of every account: created by the click-to-call routes or the control API, moved through
/// initiated → ringing → answered → ended by the far end (control API, in-process calls, far-end scripts), reflected
/// in live_calls and call/records, and announced through the configured webhooks. Calls bridged to the account's
/// VOICE Bot are streamed by a <see cref="SmartfloCaller"/>: resolver, WebSocket, caller audio, `stop` before the
/// hangup webhook.
/// </summary>
public sealed class CallEngine
{
    private static readonly (string Operator, string Circle)[] Circles =
        [("Idea", "Mumbai"), ("Airtel", "Karnataka"), ("Reliance Mobile GSM", "Delhi"), ("Vodafone", "Maharashtra")];

    private readonly SimIds _ids;
    private readonly TimeProvider _time;
    private readonly SimAccounts _accounts;
    private readonly SimFaults _faults;
    private readonly WebhookSender _sender;
    private readonly Func<string> _baseUrl;
    private readonly Dictionary<string, CallSnapshot> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly Dictionary<string, List<(WebhookTrigger Trigger, WebhookTarget Target, string? Digits)>> _heldForReorder = new(StringComparer.Ordinal);
    private readonly List<FarEndScript> _nextCallScripts = [];
    private readonly ConcurrentDictionary<string, SmartfloCaller> _streams = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _callerAudio = new(StringComparer.Ordinal);
    private CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private long _nextLiveId = 176_363_835;

    internal CallEngine(SimIds ids, TimeProvider time, SimAccounts accounts, SimFaults faults, WebhookSender sender, Func<string> baseUrl)
    {
        _ids = ids;
        _time = time;
        _accounts = accounts;
        _faults = faults;
        _sender = sender;
        _baseUrl = baseUrl;
    }

    /// <summary>Raised after every webhook delivery (the CLI prints them).</summary>
    public event Action<CallSnapshot, WebhookDelivery>? WebhookSent;

    public IReadOnlyList<CallSnapshot> All
    {
        get
        {
            lock (_gate)
            {
                return _calls.Values.OrderBy(c => c.CreatedAt).ThenBy(c => c.LiveId).ToList();
            }
        }
    }

    /// <summary>Finds a call by any of its ids: full call id, numeric core, uuid, ref_id or custom_identifier.</summary>
    public CallSnapshot? Find(string anyId)
    {
        if (string.IsNullOrWhiteSpace(anyId))
        {
            return null;
        }

        var id = anyId.Trim();
        lock (_gate)
        {
            return _calls.GetValueOrDefault(id)
                   ?? _calls.Values.FirstOrDefault(c =>
                       c.CoreCallId == id || c.Uuid == id || (c.RefId.Length > 0 && c.RefId == id) || c.CustomIdentifier == id);
        }
    }

    public CallSnapshot Get(string anyId) =>
        Find(anyId) ?? throw new KeyNotFoundException($"No simulated call '{anyId}'.");

    internal CallSnapshot StartOutbound(OutboundDial dial)
    {
        var account = _accounts.Get(dial.AccountId);
        var agent = SimAccounts.FindAgent(account, dial.AgentNumber);
        var call = NewCall(dial.AccountId, dial.Kind, dial.Customer, dial.Did) with
        {
            RefId = dial.WithRefId ? _ids.Guid() : "",
            CustomIdentifier = dial.CustomIdentifier,
            AgentNumber = dial.AgentNumber,
            AgentName = agent?.Name ?? dial.ApiKey?.DestinationName,
            AgentFollowMeNumber = agent?.FollowMeNumber,
            UserId = agent?.Id ?? account.Users.FirstOrDefault()?.Id,
            BotName = dial.ApiKey?.DestinationName ?? "Awaaz Bot",
            ToVoiceBot = IsVoiceBotDestination(dial.ApiKey?.Destination) || (dial.Kind == CallKind.ClickToCall && account.VoiceBot is not null),
            BotId = BotIdOf(dial.ApiKey?.Destination),
            CallTimeout = dial.CallTimeout,
            CustomerRingTimeout = dial.CustomerRingTimeout,
        };
        var registered = Register(call);
        var script = TakeScript(registered, account);
        if (script?.Audio is { } audio)
        {
            _callerAudio[registered.CallId] = audio;
        }

        if (dial.Kind == CallKind.ClickToCall && account.VoiceBot is not null)
        {
            // Agent-first: the agent leg is the bot, streamed while the customer's phone rings (spec §1.2).
            StartStream(registered, account.VoiceBot, waitForAnswer: true);
        }

        if (script is not null)
        {
            Track(RunScriptAsync(registered.CallId, script, _stopping.Token));
        }

        return registered;
    }

    /// <summary>Queues a far-end script for the next outbound call to <see cref="FarEndScript.Number"/> (any number if null).</summary>
    public void ScriptNextCall(FarEndScript script)
    {
        if (script.Number is not null && PhoneNumber.TryParse(script.Number) is null)
        {
            throw new ArgumentException($"'{script.Number}' is not a valid customer number.", nameof(script));
        }

        lock (_gate)
        {
            _nextCallScripts.Add(script);
        }
    }

    /// <summary>Scripts queued and not yet used by a dial.</summary>
    public IReadOnlyList<FarEndScript> PendingScripts
    {
        get
        {
            lock (_gate)
            {
                return _nextCallScripts.ToList();
            }
        }
    }

    private FarEndScript? TakeScript(CallSnapshot call, AccountConfig account)
    {
        lock (_gate)
        {
            var queued = _nextCallScripts.FirstOrDefault(s => s.Number is not null && PhoneNumber.SameLast10(s.Number, call.Customer.Digits))
                         ?? _nextCallScripts.FirstOrDefault(s => s.Number is null);
            if (queued is not null)
            {
                _nextCallScripts.Remove(queued);
                return queued;
            }
        }

        return account.FarEnd;
    }

    /// <summary>Plays a far-end script in real time; steps that no longer apply (call already ended) are skipped.</summary>
    private async Task RunScriptAsync(string callId, FarEndScript script, CancellationToken cancellationToken)
    {
        try
        {
            Note(callId, "script", Name(script.Outcome));
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, script.AnswerAfterMs)), cancellationToken).ConfigureAwait(false);
            if (script.Outcome != FarEndOutcome.Answer)
            {
                await MissAsync(callId, script.Outcome switch
                {
                    FarEndOutcome.Busy => MissOutcome.Busy,
                    FarEndOutcome.Reject => MissOutcome.Reject,
                    FarEndOutcome.InvalidNumber => MissOutcome.InvalidNumber,
                    _ => MissOutcome.NoAnswer,
                }, cancellationToken).ConfigureAwait(false);
                return;
            }

            await AnswerAsync(callId, cancellationToken).ConfigureAwait(false);
            var elapsedMs = 0;
            if (!string.IsNullOrEmpty(script.Dtmf))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, script.DtmfAfterMs)), cancellationToken).ConfigureAwait(false);
                elapsedMs = Math.Max(0, script.DtmfAfterMs);
                await SendDtmfAsync(callId, script.Dtmf, cancellationToken).ConfigureAwait(false);
            }

            if (script.HangupAfterMs is { } hangupAfter)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, hangupAfter - elapsedMs)), cancellationToken).ConfigureAwait(false);
                await CallerHangupAsync(callId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (CallStateException ex)
        {
            Note(callId, "script_step_skipped", ex.Message);
        }
        catch (Exception ex) when (ex is OperationCanceledException or KeyNotFoundException)
        {
            // Simulator stopping or reset: the call is gone.
        }
    }

    /// <summary>
    /// Starts an inbound call from <paramref name="from"/> to a DID of the account. A DID whose destination is the
    /// account's VOICE Bot (`voice_bot||…`) is answered by the bot at once and streamed, the caller following
    /// <paramref name="script"/> (audio, DTMF, hang-up; its outcome is ignored); any other call rings until answered.
    /// </summary>
    public CallSnapshot StartInbound(string accountId, string from, string to, FarEndScript? script = null)
    {
        var account = _accounts.Get(accountId);
        var caller = PhoneNumber.TryParse(from) ?? throw new ArgumentException($"'{from}' is not a valid caller number.", nameof(from));
        var did = SimAccounts.FindDid(account, to) ?? throw new ArgumentException($"'{to}' is not a DID of account '{accountId}'.", nameof(to));
        var call = NewCall(accountId, CallKind.Inbound, caller, did.Did) with
        {
            UserId = account.Users.FirstOrDefault()?.Id,
            AgentName = did.DestinationName,
            ToVoiceBot = IsVoiceBotDestination(did.Destination),
        };
        var registered = Register(call);
        if (script?.Audio is { } audio)
        {
            _callerAudio[registered.CallId] = audio;
        }

        if (account.VoiceBot is not null && registered.ToVoiceBot)
        {
            var bridged = new FarEndScript
            {
                AnswerAfterMs = 0,
                HangupAfterMs = script?.HangupAfterMs,
                Dtmf = script?.Dtmf,
                DtmfAfterMs = script?.DtmfAfterMs ?? 1000,
            };
            Track(RunScriptAsync(registered.CallId, bridged, _stopping.Token));
        }

        return registered;
    }

    /// <summary>The far end answers: state answered, then the configured `answered` webhooks are sent and awaited.</summary>
    public async Task<CallSnapshot> AnswerAsync(string anyId, CancellationToken cancellationToken = default)
    {
        var call = Mutate(anyId, c => c.State is CallState.Ringing or CallState.Initiated
            ? c with { State = CallState.Answered, AnsweredAt = Now(), Timeline = [.. c.Timeline, new CallEvent(Now(), "answered")] }
            : throw new CallStateException($"Call {c.CallId} is {Name(c.State)}; only a ringing call can be answered."));
        if (_streams.TryGetValue(call.CallId, out var agentFirst))
        {
            agentFirst.Answer();
        }
        else if (BridgedBot(call) is { } bot)
        {
            StartStream(call, bot, waitForAnswer: false);
        }

        await FireConfiguredAsync(call.CallId, WebhookTrigger.Answered, cancellationToken).ConfigureAwait(false);
        return Get(call.CallId);
    }

    /// <summary>The far end does not take the call (no answer, busy, reject, invalid number): ended, then `missed` and `hangup` webhooks.</summary>
    public async Task<CallSnapshot> MissAsync(string anyId, MissOutcome outcome, CancellationToken cancellationToken = default)
    {
        var cause = HangupCause.For(outcome);
        var call = Mutate(anyId, c => c.State is CallState.Ringing or CallState.Initiated
            ? End(c, cause, "missed")
            : throw new CallStateException($"Call {c.CallId} is {Name(c.State)}; only a ringing call can be missed."));
        await StopStreamAsync(call.CallId, StreamEndReason.CallEnded, StopReasons.CallDisconnected).ConfigureAwait(false);
        await FireConfiguredAsync(call.CallId, WebhookTrigger.Missed, cancellationToken).ConfigureAwait(false);
        await FireConfiguredAsync(call.CallId, WebhookTrigger.Hangup, cancellationToken).ConfigureAwait(false);
        return Get(call.CallId);
    }

    /// <summary>
    /// The caller hangs up (answered: NORMAL_CLEARING; ringing: ORIGINATOR_CANCEL), then `hangup` webhooks. On a transferred
    /// call this is the end of the new leg (reason "Call Transferred").
    /// </summary>
    public async Task<CallSnapshot> CallerHangupAsync(string anyId, CancellationToken cancellationToken = default)
    {
        var call = Mutate(anyId, c => c.State switch
        {
            CallState.Answered when c.TransferredTo is not null => End(c, HangupCause.Transferred, "transfer_leg_hangup"),
            CallState.Answered => End(c, HangupCause.CallerHangup, "caller_hangup"),
            CallState.Ringing or CallState.Initiated => End(c, HangupCause.Canceled, "caller_hangup"),
            _ => throw new CallStateException($"Call {c.CallId} has already ended."),
        });
        await StopStreamAsync(call.CallId, StreamEndReason.CallerHangup, StopReasons.CallerDisconnected).ConfigureAwait(false);
        await FireConfiguredAsync(call.CallId, WebhookTrigger.Hangup, cancellationToken).ConfigureAwait(false);
        return Get(call.CallId);
    }

    /// <summary>The caller presses keys on an answered call; each press fires the `dtmf` webhooks.</summary>
    public async Task<CallSnapshot> SendDtmfAsync(string anyId, string digits, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(digits) || digits.Any(d => !char.IsAsciiDigit(d) && d is not '*' and not '#'))
        {
            throw new ArgumentException("DTMF digits are 0-9, * and #.", nameof(digits));
        }

        var callId = Get(anyId).CallId;
        foreach (var digit in digits)
        {
            Mutate(callId, c => c.State == CallState.Answered
                ? c with { Dtmf = [.. c.Dtmf, digit.ToString()], Timeline = [.. c.Timeline, new CallEvent(Now(), "dtmf", digit.ToString())] }
                : throw new CallStateException($"Call {c.CallId} is {Name(c.State)}; DTMF needs an answered call."));
            if (_streams.TryGetValue(callId, out var stream))
            {
                stream.PressDtmf(digit.ToString());
            }

            await FireConfiguredAsync(callId, WebhookTrigger.Dtmf, cancellationToken, digit.ToString()).ConfigureAwait(false);
        }

        return Get(callId);
    }

    /// <summary>
    /// Sends one webhook for the call now, to <paramref name="target"/> or else to the account's webhook for that trigger.
    /// The call's state is not changed; a hangup payload for a live call reports "now" as the end.
    /// </summary>
    public async Task<WebhookDelivery> EmitWebhookAsync(
        string anyId,
        WebhookTrigger trigger,
        WebhookTarget? target = null,
        CancellationToken cancellationToken = default)
    {
        var call = Get(anyId);
        var resolved = target ?? ConfiguredTargets(call, trigger).FirstOrDefault()
            ?? throw new InvalidOperationException($"Account '{call.AccountId}' has no enabled '{trigger.ToString().ToLowerInvariant()}' webhook; give a URL.");
        return await DeliverAsync(call, trigger, resolved, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The media stream of a call bridged to the VOICE Bot, live or finished; null when the call was never streamed.</summary>
    public CallerResult? Stream(string anyId) =>
        Find(anyId) is { } call && _streams.TryGetValue(call.CallId, out var stream) ? stream.Snapshot() : null;

    /// <summary>Completes when the call's stream has ended (at once when it has none).</summary>
    public Task WhenStreamDoneAsync(string anyId) =>
        Find(anyId) is { } call && _streams.TryGetValue(call.CallId, out var stream) ? stream.Completion : Task.CompletedTask;

    /// <summary>Completes when every webhook queued by a REST-driven change and every running far-end script has finished.</summary>
    public Task WhenBackgroundWorkDoneAsync() => Task.WhenAll(_background.Keys);

    /// <summary>Cancels running far-end scripts and waits (bounded) for webhooks in flight.</summary>
    internal async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await WhenBackgroundWorkDoneAsync().WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A receiver that never answers: its 10 s timeout is still running; stop anyway.
        }
    }

    /// <summary>REST hangup: ends a ringing or answered call and sends the `hangup` webhooks after the response.</summary>
    internal CallSnapshot EndFromApi(string callId, HangupCause answeredCause)
    {
        var call = Mutate(callId, c => c.State switch
        {
            CallState.Answered => End(c, answeredCause, "api_hangup"),
            CallState.Ringing or CallState.Initiated => End(c, HangupCause.Canceled, "api_hangup"),
            _ => throw new CallStateException($"Call {c.CallId} has already ended."),
        });
        Track(Task.Run(async () =>
        {
            await StopStreamAsync(call.CallId, StreamEndReason.CallEnded, StopReasons.CallDisconnected).ConfigureAwait(false);
            await FireConfiguredAsync(call.CallId, WebhookTrigger.Hangup, CancellationToken.None).ConfigureAwait(false);
        }));
        return call;
    }

    /// <summary>
    /// `call/options` type 4 accepted: the caller moves to <paramref name="intercom"/>. Per the `transfer` fault the bot's
    /// stream stops (`stop` "The call was transferred") or stays open; either way the bot's leg no longer ends the call, the
    /// new leg's far end does (control API, far-end script, or <see cref="FaultSettings.TransferLegHangupAfterMs"/>).
    /// </summary>
    internal CallSnapshot Transfer(string callId, string intercom)
    {
        var faults = _faults.Current;
        var call = Mutate(callId, c => c.State == CallState.Answered && c.TransferredTo is null
            ? c with { TransferredTo = intercom, Timeline = [.. c.Timeline, new CallEvent(Now(), "transferred", intercom)] }
            : throw new CallStateException(c.TransferredTo is null
                ? $"Call {c.CallId} is {Name(c.State)}; only an answered call can be transferred."
                : $"Call {c.CallId} was already transferred to {c.TransferredTo}."));
        if (faults.Transfer == TransferBehaviour.KeepStream)
        {
            Note(call.CallId, "transfer_kept_stream", null);
        }
        else
        {
            Track(StopStreamAsync(call.CallId, StreamEndReason.Transferred, StopReasons.CallTransferred));
        }

        if (faults.TransferLegHangupAfterMs is { } legMs)
        {
            Track(HangUpTransferLegAsync(call.CallId, TimeSpan.FromMilliseconds(Math.Max(0, legMs)), _stopping.Token));
        }

        return call;
    }

    private async Task HangUpTransferLegAsync(string callId, TimeSpan after, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(after, cancellationToken).ConfigureAwait(false);
            await CallerHangupAsync(callId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or CallStateException or KeyNotFoundException)
        {
            // Ended meanwhile, or the simulator stopped or was reset.
        }
    }

    internal CallSnapshot Note(string callId, string eventName, string? detail) =>
        Mutate(callId, c => c with { Timeline = [.. c.Timeline, new CallEvent(Now(), eventName, detail)] });

    internal void Clear()
    {
        var previous = Interlocked.Exchange(ref _stopping, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
        lock (_gate)
        {
            _calls.Clear();
            _heldForReorder.Clear();
            _nextCallScripts.Clear();
        }

        _streams.Clear();
        _callerAudio.Clear();
    }

    /// <summary>The VOICE Bot a just-answered support or inbound call is bridged to (agent-first calls stream from the dial).</summary>
    private VoiceBotConfig? BridgedBot(CallSnapshot call)
    {
        var account = _accounts.Find(call.AccountId);
        if (account is null)
        {
            return null;
        }

        lock (_accounts.Gate)
        {
            return call.ToVoiceBot && call.Kind != CallKind.ClickToCall ? account.Config.VoiceBot : null;
        }
    }

    private static bool IsVoiceBotDestination(string? destination) =>
        destination?.StartsWith("voice_bot", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Opens the call's media stream in the background (resolver, socket, caller audio) and follows it to its end.</summary>
    private void StartStream(CallSnapshot call, VoiceBotConfig bot, bool waitForAnswer)
    {
        var did = PhoneNumber.TryParse(call.Did)?.National ?? call.Did;
        var customParameters = new Dictionary<string, string>();
        if (bot.IncludeCallIdentifiers)
        {
            if (call.CustomIdentifier is { Length: > 0 } customIdentifier)
            {
                customParameters["custom_identifier"] = customIdentifier;
            }

            if (call.RefId.Length > 0)
            {
                customParameters["ref_id"] = call.RefId;
            }
        }

        var callId = call.CallId;
        var options = new CallerOptions
        {
            ResolverUrl = bot.ResolverUrl,
            Method = bot.Method,
            ResolverDeadline = TimeSpan.FromMilliseconds(Math.Max(1, bot.DeadlineMs)),
            StrictResolverResponse = bot.StrictResponse,
            AllowLoopbackWs = bot.AllowLoopbackWs,
            CallId = callId,
            From = call.IsOutbound ? did : call.Customer.National,
            To = call.IsOutbound ? call.Customer.National : did,
            Direction = call.IsOutbound ? Awaaz.Smartflo.CallDirection.Outbound : Awaaz.Smartflo.CallDirection.Inbound,
            AccountSid = "AC" + _ids.Hex(32),
            StreamSid = "MZ" + _ids.Hex(32),
            CustomParameters = customParameters,
            Audio = LoadCallerAudio(callId, _callerAudio.GetValueOrDefault(callId) ?? bot.CallerAudio),
            FrameMs = bot.FrameMs,
            WaitForAnswer = waitForAnswer,
            HonourEndEvent = bot.HonourEndEvent,
            ViolationPolicy = bot.ViolationPolicy,
            MaxDuration = call.CallTimeout is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromHours(1),
            OnEvent = (name, detail) => TryNote(callId, "stream_" + name, detail),
        };
        var caller = SmartfloCaller.Start(options, _stopping.Token);
        _streams[callId] = caller;
        Track(FollowStreamAsync(callId, caller));
    }

    private CallerAudio LoadCallerAudio(string callId, string? path)
    {
        if (path is null)
        {
            return CallerAudio.Silence;
        }

        try
        {
            return CallerAudio.FromFile(path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            TryNote(callId, "caller_audio_failed", $"{path}: {ex.Message}; streaming silence");
            return CallerAudio.Silence;
        }
    }

    /// <summary>
    /// When the stream ends on its own (resolver or socket failure, bot `end` or close, call timeout) the call ends too:
    /// `stop` and close have happened already, then the hangup webhooks go out.
    /// </summary>
    private async Task FollowStreamAsync(string callId, SmartfloCaller caller)
    {
        var result = await caller.Completion.ConfigureAwait(false);
        if (Find(callId) is { TransferredTo: not null } && result.EndReason != StreamEndReason.MaxDuration)
        {
            // The caller is on the transfer leg: the bot's stream ending (stop, bot close or `end`, loss) does not end the call.
            TryNote(callId, "bot_leg_ended", Name(result.EndReason ?? StreamEndReason.Transferred));
            return;
        }

        var (cause, eventName) = result.Outcome switch
        {
            CallerOutcome.ResolverFailed or CallerOutcome.ConnectFailed => (HangupCause.BotUnavailable, "bot_unavailable"),
            _ => result.EndReason switch
            {
                StreamEndReason.BotEnded or StreamEndReason.BotClosed or StreamEndReason.ViolationClose => (HangupCause.ApiHangup, "bot_hangup"),
                StreamEndReason.StreamLost => (HangupCause.BotUnavailable, "stream_lost"),
                StreamEndReason.MaxDuration => (HangupCause.AllottedTimeout, "call_timeout"),
                StreamEndReason.CallerHangup => (HangupCause.CallerHangup, "caller_hangup"),
                _ => ((HangupCause?)null, ""),
            },
        };
        if (cause is null)
        {
            return;
        }

        try
        {
            Mutate(callId, c => c.State == CallState.Ended
                ? throw new CallStateException($"Call {c.CallId} has already ended.")
                : End(c, cause, eventName));
            await FireConfiguredAsync(callId, WebhookTrigger.Hangup, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CallStateException or KeyNotFoundException)
        {
            // Ended meanwhile by the caller, the API or a reset: that path sent the webhooks.
        }
    }

    /// <summary>`stop` and close on the call's live stream, bounded, before the hangup webhooks go out.</summary>
    private async Task StopStreamAsync(string callId, StreamEndReason reason, string stopReason)
    {
        if (!_streams.TryGetValue(callId, out var caller) || caller.Completion.IsCompleted)
        {
            return;
        }

        try
        {
            await caller.HangUpAsync(reason, stopReason).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            TryNote(callId, "stream_stop_timeout", null);
        }
    }

    private void TryNote(string callId, string eventName, string? detail)
    {
        try
        {
            Note(callId, eventName, detail);
        }
        catch (KeyNotFoundException)
        {
            // Reset while the stream was running.
        }
    }

    private CallSnapshot NewCall(string accountId, CallKind kind, PhoneNumber customer, string did)
    {
        var now = Now();
        var circle = Circles[_ids.Next(0, Circles.Length)];
        return new CallSnapshot
        {
            CallId = _ids.CallId(now, _faults.Current.CallIdStyle),
            Uuid = _ids.Uuid(now),
            RefId = "",
            AccountId = accountId,
            Kind = kind,
            State = CallState.Initiated,
            Customer = customer,
            Did = did,
            CreatedAt = now,
            RecordId = _ids.RecordId(now),
            RecordingToken = _ids.Hex(32),
            RecordingIdentifier = _ids.Hex(32),
            StreamId = _ids.Guid(),
            Operator = circle.Operator,
            Circle = circle.Circle,
            Timeline = [new CallEvent(now, "initiated")],
        };
    }

    /// <summary>Stores a new call; the carrier queues it and the far end starts ringing at once.</summary>
    private CallSnapshot Register(CallSnapshot call)
    {
        var now = Now();
        var ringing = call with
        {
            State = CallState.Ringing,
            RingingAt = now,
            Timeline = [.. call.Timeline, new CallEvent(now, "ringing")],
        };
        lock (_gate)
        {
            ringing = ringing with { LiveId = _nextLiveId++ };
            _calls[ringing.CallId] = ringing;
        }

        return ringing;
    }

    private CallSnapshot End(CallSnapshot call, HangupCause cause, string eventName) => call with
    {
        State = CallState.Ended,
        EndedAt = Now(),
        Cause = cause,
        Timeline = [.. call.Timeline, new CallEvent(Now(), eventName, cause.Key)],
    };

    private CallSnapshot Mutate(string anyId, Func<CallSnapshot, CallSnapshot> change)
    {
        lock (_gate)
        {
            var current = FindLocked(anyId) ?? throw new KeyNotFoundException($"No simulated call '{anyId}'.");
            var changed = change(current);
            _calls[current.CallId] = changed;
            return changed;
        }
    }

    private CallSnapshot? FindLocked(string anyId) =>
        _calls.GetValueOrDefault(anyId)
        ?? _calls.Values.FirstOrDefault(c => c.CoreCallId == anyId || c.Uuid == anyId || (c.RefId.Length > 0 && c.RefId == anyId) || c.CustomIdentifier == anyId);

    private IEnumerable<WebhookTarget> ConfiguredTargets(CallSnapshot call, WebhookTrigger trigger)
    {
        var account = _accounts.Find(call.AccountId);
        if (account is null)
        {
            return [];
        }

        lock (_accounts.Gate)
        {
            return account.Config.Webhooks
                .Where(w => w.Enabled && w.Trigger == trigger && w.Url.Length > 0)
                .Where(w => w.CallType == WebhookCallType.Any || (w.CallType == WebhookCallType.Outbound) == call.IsOutbound)
                .Select(w => new WebhookTarget(w.Url, w.Format))
                .ToList();
        }
    }

    /// <summary>Sends the account's webhooks for a state change, applying the webhook faults (drop, reorder, duplicates).</summary>
    private async Task FireConfiguredAsync(string callId, WebhookTrigger trigger, CancellationToken cancellationToken, string? digits = null)
    {
        var call = Get(callId);
        var faults = _faults.Current;
        foreach (var target in ConfiguredTargets(call, trigger))
        {
            if (faults.WebhookDrop.Contains(trigger))
            {
                RecordDropped(call, trigger, target);
                continue;
            }

            if (faults.WebhookReorder && trigger == WebhookTrigger.Answered)
            {
                lock (_gate)
                {
                    if (!_heldForReorder.TryGetValue(callId, out var held))
                    {
                        _heldForReorder[callId] = held = [];
                    }

                    held.Add((trigger, target, digits));
                }

                Note(callId, "webhook_held", Name(trigger));
                continue;
            }

            for (var copy = 0; copy <= Math.Max(0, faults.WebhookDuplicates); copy++)
            {
                await DeliverAsync(Get(callId), trigger, target, digits, cancellationToken).ConfigureAwait(false);
            }
        }

        if (trigger == WebhookTrigger.Hangup)
        {
            await ReleaseHeldAsync(callId, faults, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reorder fault: the `answered` webhooks held back go out after the hangup.</summary>
    private async Task ReleaseHeldAsync(string callId, FaultSettings faults, CancellationToken cancellationToken)
    {
        List<(WebhookTrigger Trigger, WebhookTarget Target, string? Digits)>? held;
        lock (_gate)
        {
            _heldForReorder.Remove(callId, out held);
        }

        foreach (var (trigger, target, digits) in held ?? [])
        {
            for (var copy = 0; copy <= Math.Max(0, faults.WebhookDuplicates); copy++)
            {
                await DeliverAsync(Get(callId), trigger, target, digits, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void RecordDropped(CallSnapshot call, WebhookTrigger trigger, WebhookTarget target)
    {
        var dropped = new WebhookDelivery(
            Name(trigger), target.Url, Name(target.Format), "", Now(), null, null, "dropped by fault", 0, "");
        Mutate(call.CallId, c => c with { Webhooks = [.. c.Webhooks, dropped] });
    }

    private void Track(Task work)
    {
        _background[work] = 0;
        work.ContinueWith(t => _background.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task<WebhookDelivery> DeliverAsync(
        CallSnapshot call,
        WebhookTrigger trigger,
        WebhookTarget target,
        string? digits,
        CancellationToken cancellationToken)
    {
        var faults = _faults.Current;
        if (faults.WebhookDelayMs > 0)
        {
            await Task.Delay(faults.WebhookDelayMs, cancellationToken).ConfigureAwait(false);
        }

        var now = Now();
        var payload = WebhookPayloads.Build(call, trigger, now, _baseUrl(), digits);
        var delivery = await _sender.SendAsync(target, trigger, payload, now, cancellationToken).ConfigureAwait(false);
        for (var retry = 1; retry <= faults.WebhookRetries && delivery.StatusCode is not (>= 200 and < 300); retry++)
        {
            Mutate(call.CallId, c => c with { Webhooks = [.. c.Webhooks, delivery] });
            await Task.Delay(TimeSpan.FromMilliseconds(100 * retry), cancellationToken).ConfigureAwait(false);
            delivery = await _sender.SendAsync(target, trigger, payload, Now(), cancellationToken).ConfigureAwait(false);
        }

        var updated = Mutate(call.CallId, c => c with { Webhooks = [.. c.Webhooks, delivery] });
        WebhookSent?.Invoke(updated, delivery);
        return delivery;
    }

    private DateTimeOffset Now() => _time.GetUtcNow();

    private static string Name<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static string BotIdOf(string? destination)
    {
        var separator = destination?.IndexOf("||", StringComparison.Ordinal) ?? -1;
        return separator >= 0 ? destination![(separator + 2)..] : "553";
    }
}
