using System.Text.Json.Nodes;

namespace Awaaz.Server.Calls;

public static class CallStatus
{
    public const string Pending = "pending";
    public const string Ringing = "ringing";
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string NoAnswer = "no_answer";
    public const string Busy = "busy";
    public const string Canceled = "canceled";

    public static readonly string[] Active = [Pending, Ringing, InProgress];
    public static readonly string[] All = [Pending, Ringing, InProgress, Completed, Failed, NoAnswer, Busy, Canceled];
    public static bool IsTerminal(string status) => !Active.Contains(status);
}

public static class EndReasons
{
    public const string UserHangup = "user_hangup";
    public const string AgentEndCall = "agent_end_call";
    public const string MaxDuration = "max_duration";
    public const string ApiEnd = "api_end";
    public const string Transfer = "transfer";
    public const string Voicemail = "voicemail";
    public const string StreamLost = "stream_lost";
    public const string ProviderHangup = "provider_hangup";
    public const string NoAnswer = "no_answer";
    public const string Busy = "busy";
    public const string Canceled = "canceled";
    public const string Failed = "failed";
}

public static class DialModes
{
    public const string CustomerFirst = "customer_first";
    public const string AgentFirst = "agent_first";
}

/// <summary>Durable dial job states: queued → dialing → done (accepted or rejected) | ambiguous (may be ringing).</summary>
public static class DialStates
{
    public const string None = "none";
    public const string Queued = "queued";
    public const string Dialing = "dialing";
    public const string Done = "done";
    public const string Ambiguous = "ambiguous";
}

/// <summary>One transcript entry (partner-api.md §10.4).</summary>
public sealed record TranscriptTurn(
    string Role, string Type, string Content, DateTimeOffset Timestamp, DateTimeOffset EndTimestamp, int? LatencyMs, bool Interrupted,
    Voice.TurnLatency? Breakdown = null);

/// <summary>
/// A phone call and everything learned about it. Evidence from the dialler, the resolver, the media
/// stream and Smartflo's webhooks is merged by <see cref="CallRules"/> so that any arrival order converges
/// to the same record.
/// </summary>
public sealed record Call
{
    public required string Id { get; init; }
    public required string SessionId { get; init; }
    public required string PartnerId { get; init; }
    public required string AgentId { get; init; }
    public required string AgentName { get; init; }
    /// <summary>The agent's stored document when the call started (calls keep the configuration they started with).</summary>
    public required string AgentSnapshot { get; init; }
    public required string ConnectionId { get; init; }
    public required string Direction { get; init; }
    public string? DialMode { get; init; }
    public required string FromNumber { get; init; }
    public required string ToNumber { get; init; }
    public required JsonObject Variables { get; init; }
    public string Status { get; init; } = CallStatus.Pending;
    public string? Disposition { get; init; }
    public string? AnsweredBy { get; init; }
    public string? EndReason { get; init; }
    public string? ErrorMessage { get; init; }
    public string DialState { get; init; } = DialStates.None;
    public DateTimeOffset? DialClaimedAt { get; init; }
    public string? ProviderCallId { get; init; }
    public string? ProviderUuid { get; init; }
    public string? RefId { get; init; }
    public string? StreamSid { get; init; }
    public string? StreamCallSid { get; init; }
    public int? Billsec { get; init; }
    public string? HangupCause { get; init; }
    public int? HangupCauseCode { get; init; }
    public string? ProviderStopReason { get; init; }
    public string? ProviderRecordingUrl { get; init; }
    public DateTimeOffset? ProviderAnsweredAt { get; init; }
    public DateTimeOffset? HangupRequestedAt { get; init; }
    /// <summary>Why Awaaz ended the call (<see cref="EndReasons"/>), when it did.</summary>
    public string? HangupReason { get; init; }
    public bool CancelRequested { get; init; }
    public int MaxDurationSecs { get; init; }
    public int RingTimeoutSecs { get; init; }
    public string? OwnerNode { get; init; }
    public DateTimeOffset? OwnerHeartbeatAt { get; init; }
    public IReadOnlyList<TranscriptTurn> Transcript { get; init; } = [];
    public string? RecordingPath { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RingingAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public DateTimeOffset? StreamEndedAt { get; init; }
    /// <summary>How the media stream ended: <c>stop</c>, <c>closed</c> (no stop), <c>lost</c>, <c>never_started</c>.</summary>
    public string? StreamEnd { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public int Version { get; init; }

    // Evidence kept for deriving the outcome (see CallRules); stored in the call's evidence column.
    public DateTimeOffset? StreamStartedAt { get; init; }
    public HangupEvidence? Hangup { get; init; }
    public bool Rejected { get; init; }
    public string? TimeoutStatus { get; init; }
    public DateTimeOffset? EndedAtCandidate { get; init; }
    /// <summary>The agent's transfer of this call, when it tried one (the latest attempt; a success is final).</summary>
    public CallTransfer? Transfer { get; init; }

    /// <summary>Smartflo moved the caller to the transfer number: Awaaz must never hang this call up.</summary>
    public bool WasTransferred => Transfer is { Succeeded: true };

    /// <summary>The customer's number: the callee of an outbound call, the caller of an inbound one.</summary>
    public string CustomerNumber => Direction == "inbound" ? FromNumber : ToNumber;
    public bool IsTerminal => CallStatus.IsTerminal(Status);

    public int DurationSeconds => StartedAt is { } s && EndedAt is { } e && e > s ? (int)Math.Ceiling((e - s).TotalSeconds) : 0;

    /// <summary>
    /// A new call of <paramref name="agent"/> on <paramref name="connection"/>, with its own ids and the agent's configuration
    /// as it is now. The cap is the agent's (or the platform's), and never beyond a self-hosted connection's
    /// <c>TATA_CALL_TIMEOUT</c> − 5 s.
    /// </summary>
    public static Call New(string partnerId, Agents.Agent agent, Telephony.TelephonyConnection connection, string direction,
        string fromNumber, string toNumber, JsonObject variables, DateTimeOffset now)
    {
        var maxDuration = agent.Document.MaxCallDurationSecs ?? CallService.PlatformMaxDurationSecs;
        if (connection.ManagedBy == Telephony.TelephonyConnection.ManagedByEnv) maxDuration = Math.Min(maxDuration, connection.Settings.CallTimeoutSecs - 5);
        return new Call
        {
            Id = Guid.NewGuid().ToString("D"),
            SessionId = Guid.NewGuid().ToString("D"),
            PartnerId = partnerId,
            AgentId = agent.Id,
            AgentName = agent.Document.AgentName,
            AgentSnapshot = agent.Document.ToJson(),
            ConnectionId = connection.Id,
            Direction = direction,
            FromNumber = fromNumber,
            ToNumber = toNumber,
            Variables = variables,
            MaxDurationSecs = maxDuration,
            RingTimeoutSecs = connection.Settings.RingTimeoutSecs,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
