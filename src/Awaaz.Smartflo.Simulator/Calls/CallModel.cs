namespace Awaaz.Smartflo.Simulator.Calls;

public enum CallKind
{
    /// <summary>`POST /v1/click_to_call`: agent leg first.</summary>
    ClickToCall,
    /// <summary>`POST /v1/click_to_call_support`: customer first, bridged to the key's destination.</summary>
    ClickToCallSupport,
    /// <summary>Started from the control API.</summary>
    Inbound,
}

public enum CallState
{
    Initiated,
    Ringing,
    Answered,
    Ended,
}

/// <summary>How the far end ends an unanswered call (spec §16.4 outcomes other than `answer`).</summary>
public enum MissOutcome
{
    NoAnswer,
    Busy,
    Reject,
    InvalidNumber,
}

/// <summary>Hang-up cause as Smartflo reports it (key, Q.850 code, description, reason).</summary>
public sealed record HangupCause(string Key, string Code, string Description, string Reason)
{
    public static readonly HangupCause CallerHangup = new("NORMAL_CLEARING", "16", "Normal call clearing", "Call Disconnected By Caller");
    public static readonly HangupCause ApiHangup = new("NORMAL_CLEARING", "16", "Normal call clearing", "Call Disconnected By Agent");
    public static readonly HangupCause Transferred = new("NORMAL_CLEARING", "16", "Normal call clearing", "Call Transferred");
    public static readonly HangupCause Canceled = new("ORIGINATOR_CANCEL", "487", "Originator cancel", "Call Cancelled");
    public static readonly HangupCause NoAnswer = new("NO_ANSWER", "19", "No answer", "Customer did not answer");
    public static readonly HangupCause Busy = new("USER_BUSY", "17", "User busy", "Customer was busy");
    public static readonly HangupCause Rejected = new("CALL_REJECTED", "21", "Call rejected", "Customer rejected the call");
    public static readonly HangupCause InvalidNumber = new("UNALLOCATED_NUMBER", "1", "Unallocated number", "Invalid number");

    /// <summary>The VOICE Bot endpoint failed: resolver declined/slow/malformed, upgrade refused, or the socket dropped.</summary>
    public static readonly HangupCause BotUnavailable = new("NORMAL_TEMPORARY_FAILURE", "41", "Normal temporary failure", "Voice bot endpoint failed");

    /// <summary>The call reached its `call_timeout`.</summary>
    public static readonly HangupCause AllottedTimeout = new("ALLOTTED_TIMEOUT", "602", "Allotted timeout", "Call timeout reached");

    public static HangupCause For(MissOutcome outcome) => outcome switch
    {
        MissOutcome.Busy => Busy,
        MissOutcome.Reject => Rejected,
        MissOutcome.InvalidNumber => InvalidNumber,
        _ => NoAnswer,
    };
}

public sealed record CallEvent(DateTimeOffset At, string Name, string? Detail = null);

/// <summary>One webhook the simulator sent and how the receiver answered.</summary>
public sealed record WebhookDelivery(
    string Trigger,
    string Url,
    string Format,
    string Method,
    DateTimeOffset SentAt,
    int? StatusCode,
    string? ResponseBody,
    string? Error,
    double ElapsedMs,
    string Payload);

/// <summary>Immutable view of a simulated call at one moment.</summary>
public sealed record CallSnapshot
{
    public required string CallId { get; init; }
    public required string Uuid { get; init; }
    /// <summary>UUID returned by click_to_call_support; "" on other calls (as in webhooks).</summary>
    public required string RefId { get; init; }
    public string? CustomIdentifier { get; init; }
    public required string AccountId { get; init; }
    public required CallKind Kind { get; init; }
    public required CallState State { get; init; }
    public required PhoneNumber Customer { get; init; }
    /// <summary>The DID used (caller id on outbound, dialled number on inbound), E.164.</summary>
    public required string Did { get; init; }
    public string? AgentNumber { get; init; }
    public string? AgentName { get; init; }
    public string? AgentFollowMeNumber { get; init; }
    public long? UserId { get; init; }
    /// <summary>Name and id of the destination bridged to (the VOICE Bot of an API key).</summary>
    public string BotName { get; init; } = "Awaaz Bot";
    public string BotId { get; init; } = "553";
    /// <summary>Bridged to a VOICE Bot destination (API key or DID `voice_bot||…`; agent-first calls of an account with a bot): streamed when the account has one.</summary>
    public bool ToVoiceBot { get; init; }
    public int? CallTimeout { get; init; }
    public int? CustomerRingTimeout { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RingingAt { get; init; }
    public DateTimeOffset? AnsweredAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public HangupCause? Cause { get; init; }
    public string? TransferredTo { get; init; }
    public IReadOnlyList<string> Dtmf { get; init; } = [];
    public long LiveId { get; init; }
    public required string RecordId { get; init; }
    public required string RecordingToken { get; init; }
    public required string RecordingIdentifier { get; init; }
    public required string StreamId { get; init; }
    public string Operator { get; init; } = "Idea";
    public string Circle { get; init; } = "Mumbai";
    public IReadOnlyList<CallEvent> Timeline { get; init; } = [];
    public IReadOnlyList<WebhookDelivery> Webhooks { get; init; } = [];

    public bool IsOutbound => Kind != CallKind.Inbound;
    public bool WasAnswered => AnsweredAt is not null;

    /// <summary>Numeric core of the call id (`h3.08-1770534283.2156835` → `1770534283.2156835`, spec §12.1).</summary>
    public string CoreCallId => NumericCore(CallId);

    /// <summary>Billable seconds: whole seconds from answer to end (0 if never answered).</summary>
    public int Billsec(DateTimeOffset now) =>
        AnsweredAt is { } answered ? WholeSeconds((EndedAt ?? now) - answered) : 0;

    public int Duration(DateTimeOffset now) => WholeSeconds((EndedAt ?? now) - CreatedAt);

    public int RingSeconds(DateTimeOffset now) =>
        WholeSeconds((AnsweredAt ?? EndedAt ?? now) - (RingingAt ?? CreatedAt));

    public static string NumericCore(string callId)
    {
        var match = System.Text.RegularExpressions.Regex.Match(callId, @"(\d{9,11}\.\d+)$");
        return match.Success ? match.Groups[1].Value : callId;
    }

    private static int WholeSeconds(TimeSpan span) => Math.Max(0, (int)Math.Floor(span.TotalSeconds));
}
