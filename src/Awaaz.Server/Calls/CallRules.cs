namespace Awaaz.Server.Calls;

/// <summary>Provider hang-up evidence from a panel webhook or a CDR (smartflo.md §13.2).</summary>
public sealed record HangupEvidence(
    DateTimeOffset ReceivedAt,
    DateTimeOffset? EndedAt = null,
    DateTimeOffset? AnsweredAt = null,
    int? Billsec = null,
    bool? CallConnected = null,
    string? HangupCause = null,
    int? HangupCauseCode = null,
    string? Description = null,
    string? ReasonKey = null,
    string? StatusText = null,
    string? RecordingUrl = null,
    bool Missed = false);

/// <summary>
/// How each piece of evidence changes a call (smartflo.md §13, partner-api.md §10.2). Every rule is a
/// monotone merge — earliest time wins, first known id wins, the stronger end reason wins — and the status
/// is derived from the merged evidence, terminal statuses being sticky. So duplicates and any arrival order
/// of answered / hang-up / stream-stop converge to the same record.
/// </summary>
public static class CallRules
{
    public static Call DialAccepted(Call call, DateTimeOffset at, string? refId, string? providerCallId) => Settle(call with
    {
        DialState = DialStates.Done,
        RingingAt = Earliest(call.RingingAt, at),
        RefId = call.RefId ?? refId,
        ProviderCallId = call.ProviderCallId ?? providerCallId,
    });

    public static Call DialRejected(Call call, DateTimeOffset at, string message) => Settle(call with
    {
        DialState = DialStates.Done,
        ErrorMessage = call.ErrorMessage ?? message,
        Rejected = true,
        EndedAtCandidate = Earliest(call.EndedAtCandidate, at),
    });

    /// <summary>The originate timed out or got a 5xx: the call may be ringing. It stays pending until evidence or reconciliation.</summary>
    public static Call DialAmbiguous(Call call, string message) => call with { DialState = DialStates.Ambiguous, ErrorMessage = call.ErrorMessage ?? message };

    public static Call StreamStarted(Call call, DateTimeOffset at, string? streamSid, string? callSid) => Settle(call with
    {
        StreamSid = call.StreamSid ?? streamSid,
        StreamCallSid = call.StreamCallSid ?? callSid,
        StreamStartedAt = Earliest(call.StreamStartedAt, at),
        // Customer-first and inbound calls are connected when the stream starts; agent-first ones when the customer answers.
        StartedAt = call.DialMode == DialModes.AgentFirst ? call.StartedAt : Earliest(call.StartedAt, at),
    });

    /// <param name="how"><c>stop</c>, <c>closed</c> (closed without stop), <c>lost</c> (abnormal), <c>never_started</c>.</param>
    public static Call StreamEnded(Call call, DateTimeOffset at, string how, string? stopReason) => Settle(call with
    {
        StreamEndedAt = Earliest(call.StreamEndedAt, at),
        StreamEnd = call.StreamEnd ?? how,
        ProviderStopReason = call.ProviderStopReason ?? stopReason,
        EndedAtCandidate = Earliest(call.EndedAtCandidate, at),
    });

    /// <summary>An "answered" panel webhook: the provider's answer time; agent-first calls connect here.</summary>
    public static Call ProviderAnswered(Call call, DateTimeOffset answeredAt) => Settle(call with
    {
        ProviderAnsweredAt = Earliest(call.ProviderAnsweredAt, answeredAt),
    });

    /// <summary>Agent-first with <c>agent_first_speech_start</c>: the first confirmed speech connects the call.</summary>
    public static Call SpeechConfirmed(Call call, DateTimeOffset at) =>
        call.DialMode == DialModes.AgentFirst && call.StreamStartedAt is not null ? Settle(call with { StartedAt = Earliest(call.StartedAt, at) }) : call;

    public static Call ProviderHangup(Call call, HangupEvidence e) => Settle(call with
    {
        Hangup = call.Hangup is null ? e : MergeHangup(call.Hangup, e),
        Billsec = call.Billsec ?? e.Billsec,
        HangupCause = call.HangupCause ?? e.HangupCause,
        HangupCauseCode = call.HangupCauseCode ?? e.HangupCauseCode,
        ProviderRecordingUrl = call.ProviderRecordingUrl ?? e.RecordingUrl,
        ProviderAnsweredAt = Earliest(call.ProviderAnsweredAt, e.AnsweredAt),
        EndedAtCandidate = Earliest(call.EndedAtCandidate, e.EndedAt ?? e.ReceivedAt),
    });

    /// <summary>Awaaz asked Smartflo to end the call (agent end, API end, max duration, watchdog, transfer).</summary>
    public static Call HangupRequested(Call call, DateTimeOffset at, string reason) => Settle(call with
    {
        HangupRequestedAt = call.HangupRequestedAt ?? at,
        HangupReason = call.HangupReason ?? reason,
    });

    /// <summary>
    /// The outcome of a transfer attempt. A success is final (the caller is on the new leg; Awaaz's part of the call is over
    /// and its end reason is <c>transfer</c>); otherwise the latest attempt wins.
    /// </summary>
    public static Call TransferAttempted(Call call, CallTransfer attempt)
    {
        var keep = call.Transfer is { Succeeded: true } || (call.Transfer is { } current && current.RequestedAt > attempt.RequestedAt);
        var transfer = keep ? call.Transfer! : attempt;
        return Settle(call with
        {
            Transfer = transfer,
            HangupReason = transfer.Succeeded ? call.HangupReason ?? EndReasons.Transfer : call.HangupReason,
        });
    }

    /// <summary><c>POST /calls/{id}/end</c> before the call connected.</summary>
    public static Call CancelRequested(Call call, DateTimeOffset at) => call.StartedAt is not null ? call : Settle(call with
    {
        CancelRequested = true,
        EndedAtCandidate = Earliest(call.EndedAtCandidate, at),
    });

    /// <summary>The watchdog or reconciliation gave up waiting for provider evidence.</summary>
    public static Call TimedOut(Call call, DateTimeOffset at, string status, string message) => Settle(call with
    {
        TimeoutStatus = call.TimeoutStatus ?? status,
        ErrorMessage = call.ErrorMessage ?? message,
        EndedAtCandidate = Earliest(call.EndedAtCandidate, at),
    });

    /// <summary>The voice pipeline failed on the connected call (a provider refused the key, a stream died for good).</summary>
    public static Call PipelineFailed(Call call, string message) => Settle(call with { ErrorMessage = call.ErrorMessage ?? message });

    /// <summary>Stores the conversation; for a completed call it decides disposition and answered_by.</summary>
    public static Call WithTranscript(Call call, IReadOnlyList<TranscriptTurn> transcript) => Settle(call with { Transcript = transcript });

    /// <summary>Derives status, disposition, answered_by, end_reason and ended_at from the merged evidence.</summary>
    public static Call Settle(Call call)
    {
        // Agent-first: connected once the stream runs and the customer answered, whichever was learned first.
        if (!call.IsTerminal && call.DialMode == DialModes.AgentFirst && call.StreamStartedAt is not null && call.ProviderAnsweredAt is { } answered)
            call = call with { StartedAt = Earliest(call.StartedAt, answered) };
        var connected = call.StartedAt is not null;
        var next = call;
        if (!call.IsTerminal)
        {
            var status = DecideStatus(call, connected);
            next = call with { Status = status };
            if (CallStatus.IsTerminal(status)) next = next with
            {
                EndedAt = next.EndedAtCandidate ?? call.UpdatedAt,
                // Completed on provider evidence alone (no stream seen): it started when the provider says it was answered.
                StartedAt = status == CallStatus.Completed ? next.StartedAt ?? next.ProviderAnsweredAt : next.StartedAt,
            };
            else if (status == CallStatus.Ringing && next.RingingAt is null) next = next with { RingingAt = call.UpdatedAt };
        }
        if (!next.IsTerminal) return next;

        // Refinements that stay order-independent after the call ended.
        var (disposition, answeredBy, endReason, error) = Outcome(next);
        return next with
        {
            EndedAt = Earliest(next.EndedAt, next.EndedAtCandidate),
            Disposition = disposition,
            AnsweredBy = answeredBy,
            EndReason = Stronger(next.EndReason, endReason),
            ErrorMessage = next.ErrorMessage ?? error,
        };
    }

    private static string DecideStatus(Call call, bool connected)
    {
        var streamOver = call.StreamEndedAt is not null;
        var providerEnded = call.Hangup is not null;
        if (call.CancelRequested && !connected) return CallStatus.Canceled;
        // An inbound call is created connected; if its stream never came, it failed.
        if (connected && call.Direction == "inbound" && call.StreamStartedAt is null && call.TimeoutStatus is { } inboundTimeout) return inboundTimeout;
        if (connected)
            return streamOver || providerEnded || call.TimeoutStatus is not null || (call.HangupRequestedAt is not null && call.StreamStartedAt is null)
                ? CallStatus.Completed : CallStatus.InProgress;
        if (call.Rejected) return CallStatus.Failed;
        if (providerEnded) return FromHangup(call.Hangup!);
        if (call.TimeoutStatus is { } timedOut) return timedOut;
        if (call.StreamStartedAt is not null || call.RingingAt is not null || call.DialState == DialStates.Done) return CallStatus.Ringing;
        return CallStatus.Pending;
    }

    /// <summary>smartflo.md §13.2, first match wins; a hang-up that shows the call connected counts as completed.</summary>
    public static string FromHangup(HangupEvidence e)
    {
        var cause = (e.HangupCause ?? "").ToUpperInvariant();
        var text = $"{e.StatusText} {e.ReasonKey} {e.Description}".ToLowerInvariant();
        if (cause is "USER_BUSY" or "CALL_REJECTED" || e.HangupCauseCode is 17 or 21 || text.Contains("busy")) return CallStatus.Busy;
        if ((e.Billsec ?? 0) > 0 || e.CallConnected == true) return CallStatus.Completed;
        if (cause is "NO_ANSWER" or "NO_USER_RESPONSE" or "ORIGINATOR_CANCEL" or "ALLOTTED_TIMEOUT" || e.HangupCauseCode is 18 or 19 or 487 or 602
            || e.Missed || text.Contains("missed") || (cause == "NORMAL_CLEARING" && (e.Billsec ?? 0) == 0 && e.CallConnected != true))
            return CallStatus.NoAnswer;
        return CallStatus.Failed;
    }

    private static (string Disposition, string AnsweredBy, string EndReason, string? Error) Outcome(Call call)
    {
        switch (call.Status)
        {
            case CallStatus.Completed:
                var userTurns = call.Transcript.Any(t => t.Role == "user");
                var machine = call.HangupReason == EndReasons.Voicemail;
                // A call Awaaz ended because its pipeline failed was not hung up by a silent far end.
                var disposition = machine ? "voicemail" : userTurns || call.HangupReason == EndReasons.Failed ? "completed" : "user_hangup_no_speech";
                var answeredBy = machine ? "machine" : userTurns ? "human" : "unknown";
                var endReason = call.HangupReason
                    ?? (call.StreamEnd == "lost" ? EndReasons.StreamLost
                    : call.StreamEnd == "closed" && call.Hangup is null ? EndReasons.ProviderHangup
                    : EndReasons.UserHangup);
                return (disposition, answeredBy, endReason, null);
            case CallStatus.Canceled:
                return ("canceled", "not_answered", EndReasons.Canceled, null);
            case CallStatus.Busy:
                return ("busy", "not_answered", EndReasons.Busy, null);
            case CallStatus.NoAnswer:
                return ("no_answer", "not_answered", EndReasons.NoAnswer, null);
            default:
                var blocked = call.Hangup is { } h && $"{h.StatusText} {h.ReasonKey} {h.Description}".Contains("blocked", StringComparison.OrdinalIgnoreCase)
                    || (call.Hangup?.Description ?? "").Contains("DND", StringComparison.Ordinal);
                var error = call.Hangup is { } hh ? hh.Description ?? hh.ReasonKey ?? hh.HangupCause : null;
                return (blocked ? "blocked" : "failed", "not_answered", EndReasons.Failed, error);
        }
    }

    private static readonly string[] EndReasonStrength =
        [EndReasons.ProviderHangup, EndReasons.UserHangup, EndReasons.StreamLost];

    /// <summary>A reason Awaaz chose always wins; otherwise stream_lost over user_hangup over provider_hangup.</summary>
    private static string? Stronger(string? current, string candidate)
    {
        if (current is null) return candidate;
        var a = Array.IndexOf(EndReasonStrength, current);
        var b = Array.IndexOf(EndReasonStrength, candidate);
        if (a < 0) return current;
        if (b < 0) return candidate;
        return b > a ? candidate : current;
    }

    private static HangupEvidence MergeHangup(HangupEvidence a, HangupEvidence b) => new(
        Earliest(a.ReceivedAt, b.ReceivedAt)!.Value, Earliest(a.EndedAt, b.EndedAt), Earliest(a.AnsweredAt, b.AnsweredAt),
        a.Billsec ?? b.Billsec, a.CallConnected ?? b.CallConnected, a.HangupCause ?? b.HangupCause, a.HangupCauseCode ?? b.HangupCauseCode,
        a.Description ?? b.Description, a.ReasonKey ?? b.ReasonKey, a.StatusText ?? b.StatusText, a.RecordingUrl ?? b.RecordingUrl, a.Missed || b.Missed);

    public static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : (a < b ? a : b);
}
