using System.Net.WebSockets;
using System.Text.Json.Serialization;

namespace Awaaz.Smartflo.Simulator.Caller;

public enum CallerOutcome
{
    /// <summary>Still running.</summary>
    Running,
    /// <summary>Resolver accepted, the socket opened and the stream ran.</summary>
    Streamed,
    /// <summary>The resolver declined, timed out or replied wrongly: no socket (the call fails, spec §16.4).</summary>
    ResolverFailed,
    /// <summary>The WebSocket upgrade failed (403 for a spent token, refused…).</summary>
    ConnectFailed,
    /// <summary>The call ended while the resolver was being asked: no socket was opened.</summary>
    EndedBeforeStream,
}

public enum StreamEndReason
{
    /// <summary>The caller hung up (script, <see cref="CallerOptions.HangupAfter"/>): `stop` then close.</summary>
    CallerHangup,
    /// <summary>The call was ended outside the stream (REST hangup, missed customer leg): `stop` then close.</summary>
    CallEnded,
    /// <summary>The bot sent `end`: `stop` then close.</summary>
    BotEnded,
    /// <summary>The bot closed the socket first (no `stop` can follow).</summary>
    BotClosed,
    /// <summary>A violation under <see cref="Configuration.ViolationPolicy.Close"/>: closed with 1008.</summary>
    ViolationClose,
    /// <summary>The connection broke (no close handshake).</summary>
    StreamLost,
    /// <summary><see cref="CallerOptions.MaxDuration"/> reached: `stop` then close.</summary>
    MaxDuration,
    /// <summary>The simulator is stopping: the socket is aborted.</summary>
    Cancelled,
    /// <summary>Smartflo moved the caller to a transfer number (`call/options` type 4): `stop` then close; the call goes on without the bot.</summary>
    Transferred,
}

/// <summary>A rule of spec §11.1/§11.4 the bot broke (spec §16.5 list).</summary>
public enum ViolationKind
{
    BinaryFrame,
    FrameTooLarge,
    InvalidJson,
    MissingField,
    UnknownEvent,
    BotSentConnected,
    BotSentStart,
    BeforeStart,
    AfterStop,
    WrongStreamSid,
    PayloadNotBase64,
    PayloadSize,
    ChunkNotInteger,
    ChunkOutOfSequence,
    BadMarkName,
}

/// <summary>One violation: when (ms since `start`), what, and the start of the offending frame.</summary>
public sealed record Violation(double AtMs, ViolationKind Kind, string Detail, string? Frame);

public enum FrameDirection
{
    /// <summary>Simulator (Smartflo) → bot.</summary>
    ToBot,
    /// <summary>Bot → simulator.</summary>
    FromBot,
}

/// <summary>One frame on the socket, without its audio: event, size, chunk or mark name.</summary>
public sealed record FrameRecord(double AtMs, FrameDirection Direction, string Event, int Bytes, string? Detail);

/// <summary>A milestone of the call: resolver, connect, start, DTMF, stop, close.</summary>
public sealed record StreamEvent(double AtMs, string Name, string? Detail);

public enum BotAudioEventKind
{
    Media,
    Mark,
    Clear,
}

/// <summary>Accepted bot playback input in arrival order: the input of <see cref="Load.PlayoutAnalysis"/>.</summary>
public readonly record struct BotAudioEvent(double AtMs, BotAudioEventKind Kind, int Bytes);

/// <summary>A mark the bot sent and its echo.</summary>
public sealed record MarkRecord(string Name, double ReceivedMs, double? EchoedMs, MarkEchoKind? Echo)
{
    /// <summary>Echo time minus arrival time (the far end's playback wait).</summary>
    public double? RoundTripMs => EchoedMs - ReceivedMs;
}

/// <summary>A `clear` the bot sent: audio discarded and the marks flushed by it, in echo order.</summary>
public sealed record ClearRecord(double AtMs, int DiscardedBytes, IReadOnlyList<string> FlushedMarks);

/// <summary>
/// One utterance of a conversational caller (<see cref="CallerOptions.Conversation"/>): its speech onset and end, whether
/// it interrupted the bot, the first `clear` after its onset, and the first bot audio after its end (from silence).
/// </summary>
public sealed record CallerTurnRecord(double OnsetMs, bool BargeIn, double? SpeechEndMs, double? ClearMs, double? ReplyMs)
{
    /// <summary>Speech onset → `clear` received.</summary>
    public double? ClearLatencyMs => ClearMs - OnsetMs;

    /// <summary>End of the caller's speech → first bot audio frame received.</summary>
    public double? ReplyLatencyMs => ReplyMs - SpeechEndMs;
}

/// <summary>Live counters of a running call.</summary>
public readonly record struct CallerCounters(CallerOutcome Outcome, int BotMedia, int Marks, int Violations);

/// <summary>Counts of what the bot sent.</summary>
public sealed record BotFrameCounts(int Frames, int Media, long MediaBytes, int Marks, int Clears, int Ends, int Ignored, int InFlightAfterStop);

/// <summary>
/// What happened on one simulated call: the resolver exchange, every stream milestone, what the bot sent, what the caller
/// heard, and every protocol violation. Times are milliseconds since the resolver request was sent.
/// </summary>
public sealed record CallerResult
{
    public required string CallId { get; init; }
    public required string StreamSid { get; init; }
    public required string AccountSid { get; init; }
    public required CallerOutcome Outcome { get; init; }
    public StreamEndReason? EndReason { get; init; }
    /// <summary>Why the call failed (resolver or connect), or how the stream broke.</summary>
    public string? Failure { get; init; }
    public required ResolverExchange? Resolver { get; init; }
    /// <summary>HTTP status of a refused WebSocket upgrade.</summary>
    public int? UpgradeStatus { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    /// <summary>When `start` was sent: the origin of the caller's media timestamps and of the heard audio.</summary>
    public double? StartSentMs { get; init; }
    /// <summary>From `start` to the end of the close handshake.</summary>
    public double StreamMs { get; init; }
    public int CallerMediaFrames { get; init; }
    public IReadOnlyList<string> DtmfSent { get; init; } = [];
    public string? StopReason { get; init; }
    public double? StopSentMs { get; init; }
    public WebSocketCloseStatus? CloseStatus { get; init; }
    public string? CloseDescription { get; init; }
    /// <summary>The bot sent the first close frame.</summary>
    public bool ClosedByBot { get; init; }
    public BotFrameCounts Bot { get; init; } = new(0, 0, 0, 0, 0, 0, 0, 0);
    /// <summary>First bot media frame, in ms after `start`.</summary>
    public double? FirstBotAudioMs { get; init; }
    public IReadOnlyList<BotAudioEvent> BotTimeline { get; init; } = [];
    public IReadOnlyList<MarkRecord> Marks { get; init; } = [];
    public IReadOnlyList<ClearRecord> Clears { get; init; } = [];
    /// <summary>A conversational caller's utterances (empty otherwise).</summary>
    public IReadOnlyList<CallerTurnRecord> Turns { get; init; } = [];
    public IReadOnlyList<Violation> Violations { get; init; } = [];
    public IReadOnlyDictionary<ViolationKind, int> ViolationCounts { get; init; } = new Dictionary<ViolationKind, int>();
    public int ViolationCount => ViolationCounts.Values.Sum();
    public IReadOnlyList<StreamEvent> Events { get; init; } = [];
    public IReadOnlyList<FrameRecord> Frames { get; init; } = [];
    /// <summary>Bot audio bytes heard, discarded by `clear`, and still queued at `stop`.</summary>
    public long PlayedBotBytes { get; init; }
    public long DiscardedBotBytes { get; init; }
    public long UnplayedAtStopBytes { get; init; }
    /// <summary>Marks pending at `stop`: never echoed (spec §11.5 rule 6).</summary>
    public int MarksDroppedAtStop { get; init; }

    /// <summary>What the caller heard from `start` to `stop`, µ-law 8 kHz (bot audio as played, 0xFF silence in gaps).</summary>
    [JsonIgnore]
    public ReadOnlyMemory<byte> HeardAudio { get; init; }

    public double HeardSeconds => HeardAudio.Length / (double)CallerAudio.SampleRate;

    /// <summary>The heard audio as a µ-law WAV file.</summary>
    public byte[] HeardWav() => MuLawWav.Write(HeardAudio.Span);

    public void SaveHeardWav(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllBytes(path, HeardWav());
    }
}
