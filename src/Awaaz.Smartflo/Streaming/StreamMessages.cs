namespace Awaaz.Smartflo.Streaming;

/// <summary>The <c>event</c> of a streaming message (spec §11.3–§11.4).</summary>
public enum StreamEventType
{
    /// <summary>An event name this library does not know; ignore it.</summary>
    Unknown,
    /// <summary>Smartflo → bot, first message (bot → Smartflo only under <c>send_connected_first</c>).</summary>
    Connected,
    /// <summary>Smartflo → bot: stream metadata.</summary>
    Start,
    /// <summary>Both ways: µ-law audio.</summary>
    Media,
    /// <summary>Smartflo → bot: a key press.</summary>
    Dtmf,
    /// <summary>Both ways: bot places a mark; Smartflo echoes it when played or flushed.</summary>
    Mark,
    /// <summary>Smartflo → bot: the stream stopped.</summary>
    Stop,
    /// <summary>Bot → Smartflo: discard queued audio.</summary>
    Clear,
    /// <summary>Bot → Smartflo: end the call (optional, community protocol).</summary>
    End,
}

/// <summary>A parsed streaming frame. Every message may carry <see cref="StreamSid"/> and <see cref="SequenceNumber"/>.</summary>
public abstract record StreamMessage
{
    /// <summary>The event type.</summary>
    public abstract StreamEventType Event { get; }

    /// <summary>Top-level <c>streamSid</c> (for <c>start</c>: top level, else <c>start.streamSid</c>).</summary>
    public string? StreamSid { get; init; }

    /// <summary><c>sequenceNumber</c>, from a string or a number.</summary>
    public long? SequenceNumber { get; init; }
}

/// <summary><c>{"event":"connected"}</c>, possibly with <c>protocol</c> and <c>version</c>.</summary>
public sealed record ConnectedMessage : StreamMessage
{
    /// <inheritdoc />
    public override StreamEventType Event => StreamEventType.Connected;
    /// <summary><c>protocol</c>, e.g. <c>Call</c>.</summary>
    public string? Protocol { get; init; }
    /// <summary><c>version</c>, e.g. <c>1.0.0</c>.</summary>
    public string? Version { get; init; }
}

/// <summary><c>start.mediaFormat</c>.</summary>
/// <param name="Encoding">e.g. <c>audio/x-mulaw</c>.</param>
/// <param name="SampleRate">Hz, 8000.</param>
/// <param name="BitRate">kbps, 64.</param>
/// <param name="BitDepth">Bits, 8.</param>
public sealed record MediaFormat(string? Encoding, int? SampleRate, int? BitRate, int? BitDepth)
{
    /// <summary>True for the only format Smartflo documents: µ-law at 8 kHz (absent values count as matching).</summary>
    public bool IsMulaw8k =>
        (Encoding is null || Encoding.Equals("audio/x-mulaw", StringComparison.OrdinalIgnoreCase)) && SampleRate is null or 8000;
}

/// <summary><c>start</c>: stream and call metadata (spec §11.3). <c>from</c>/<c>to</c> are also accepted at the top level.</summary>
public sealed record StartMessage : StreamMessage
{
    /// <inheritdoc />
    public override StreamEventType Event => StreamEventType.Start;
    /// <summary><c>start.accountSid</c>.</summary>
    public string? AccountSid { get; init; }
    /// <summary><c>start.callSid</c>: the Smartflo call id.</summary>
    public string? CallSid { get; init; }
    /// <summary><c>start.from</c> as sent (any number format).</summary>
    public string? From { get; init; }
    /// <summary><c>start.to</c> as sent (any number format).</summary>
    public string? To { get; init; }
    /// <summary><c>start.direction</c> (newer edition only).</summary>
    public CallDirection Direction { get; init; }
    /// <summary><c>start.mediaFormat</c>, when present.</summary>
    public MediaFormat? MediaFormat { get; init; }
    /// <summary><c>start.customParameters</c> (empty when absent or null); non-string values as JSON text.</summary>
    public IReadOnlyDictionary<string, string> CustomParameters { get; init; } = EmptyParameters;

    internal static readonly IReadOnlyDictionary<string, string> EmptyParameters = new Dictionary<string, string>();
}

/// <summary><c>media</c>: a chunk of µ-law audio, decoded from base64.</summary>
public sealed record MediaMessage : StreamMessage
{
    /// <inheritdoc />
    public override StreamEventType Event => StreamEventType.Media;
    /// <summary><c>media.chunk</c> (string from Smartflo, integer from the bot).</summary>
    public long? Chunk { get; init; }
    /// <summary>True when <c>chunk</c> was a JSON integer (the bot must send integers; spec §11.4).</summary>
    public bool ChunkIsJsonNumber { get; init; }
    /// <summary><c>media.timestamp</c>: ms since stream start (Smartflo only).</summary>
    public long? Timestamp { get; init; }
    /// <summary>The decoded audio bytes.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }
}

/// <summary><c>dtmf</c>: one key press.</summary>
public sealed record DtmfMessage : StreamMessage
{
    /// <inheritdoc />
    public override StreamEventType Event => StreamEventType.Dtmf;
    /// <summary><c>0</c>–<c>9</c>, <c>*</c> or <c>#</c> (accepted from a string or a number).</summary>
    public required string Digit { get; init; }
}

/// <summary><c>mark</c>: a named position in the playback queue.</summary>
public sealed record MarkMessage : StreamMessage
{
    /// <inheritdoc />
    public override StreamEventType Event => StreamEventType.Mark;
    /// <summary><c>mark.name</c>.</summary>
    public required string Name { get; init; }
}

/// <summary><c>stop</c>: the stream ended.</summary>
public sealed record StopMessage : StreamMessage
{
    /// <inheritdoc />
    public override StreamEventType Event => StreamEventType.Stop;
    /// <summary><c>stop.accountSid</c>.</summary>
    public string? AccountSid { get; init; }
    /// <summary><c>stop.callSid</c>.</summary>
    public string? CallSid { get; init; }
    /// <summary><c>stop.reason</c>: free text, store only.</summary>
    public string? Reason { get; init; }
}

/// <summary><c>clear</c>: drop all queued audio and echo pending marks.</summary>
public sealed record ClearMessage : StreamMessage
{
    /// <inheritdoc />
    public override StreamEventType Event => StreamEventType.Clear;
}

/// <summary><c>end</c>: the bot asks to end the call.</summary>
public sealed record EndMessage : StreamMessage
{
    /// <inheritdoc />
    public override StreamEventType Event => StreamEventType.End;
    /// <summary><c>call_sid</c>.</summary>
    public string? CallSid { get; init; }
}

/// <summary>A well-formed message with an event name this library does not know.</summary>
public sealed record UnknownMessage : StreamMessage
{
    /// <inheritdoc />
    public override StreamEventType Event => StreamEventType.Unknown;
    /// <summary>The <c>event</c> value as sent.</summary>
    public required string EventName { get; init; }
}
