using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Awaaz.Smartflo.Streaming;

/// <summary>Why a streaming frame was rejected.</summary>
public enum StreamParseErrorCode
{
    /// <summary>Zero bytes or whitespace only.</summary>
    Empty,
    /// <summary>Larger than <see cref="StreamFrameParser.MaxFrameBytes"/> (64 KiB); drop it.</summary>
    TooLarge,
    /// <summary>Not valid JSON.</summary>
    InvalidJson,
    /// <summary>Valid JSON, but not an object.</summary>
    NotAnObject,
    /// <summary>No string <c>event</c>.</summary>
    MissingEvent,
    /// <summary>A field the event cannot do without (<c>media.payload</c>, <c>dtmf.digit</c>, <c>mark.name</c>, <c>streamSid</c> on start).</summary>
    MissingField,
    /// <summary><c>media.payload</c> is not valid base64.</summary>
    InvalidPayload,
}

/// <summary>A rejected frame.</summary>
/// <param name="Code">Category; count it and carry on (spec §11.1: the session never crashes on input).</param>
/// <param name="Message">Short description, safe to log.</param>
/// <param name="EventName">The <c>event</c>, when it could be read.</param>
public sealed record StreamParseError(StreamParseErrorCode Code, string Message, string? EventName = null);

/// <summary>Either a message or an error, never both.</summary>
public readonly record struct StreamParseResult
{
    private StreamParseResult(StreamMessage? message, StreamParseError? error)
    {
        Message = message;
        Error = error;
    }

    /// <summary>The parsed message, when <see cref="IsSuccess"/>.</summary>
    public StreamMessage? Message { get; }

    /// <summary>Why parsing failed, when not <see cref="IsSuccess"/>.</summary>
    public StreamParseError? Error { get; }

    /// <summary>True when <see cref="Message"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Message))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Message is not null;

    internal static StreamParseResult Success(StreamMessage message) => new(message, null);

    internal static StreamParseResult Failure(StreamParseErrorCode code, string message, string? eventName = null) =>
        new(null, new StreamParseError(code, message, eventName));
}

/// <summary>
/// Single-pass <see cref="Utf8JsonReader"/> parser for streaming frames in either direction (spec §11.3–§11.4).
/// Tolerates extra keys, keys in any order, numbers as strings and strings as numbers; unknown events become
/// <see cref="UnknownMessage"/>; malformed input becomes a <see cref="StreamParseError"/>. Never throws.
/// Allocates the message, its strings and the decoded media payload only.
/// </summary>
public static class StreamFrameParser
{
    /// <summary>Largest accepted frame (spec §11.1).</summary>
    public const int MaxFrameBytes = 64 * 1024;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 32, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Parses a UTF-8 text frame.</summary>
    /// <param name="utf8Frame">The frame bytes.</param>
    /// <param name="knownStreamSid">The stream's sid, if known: an equal <c>streamSid</c> reuses this instance instead of allocating.</param>
    public static StreamParseResult Parse(ReadOnlySpan<byte> utf8Frame, string? knownStreamSid = null)
    {
        if (utf8Frame.Length > MaxFrameBytes)
            return StreamParseResult.Failure(StreamParseErrorCode.TooLarge, $"frame of {utf8Frame.Length} bytes exceeds {MaxFrameBytes}");
        if (utf8Frame.Trim(" \t\r\n"u8).IsEmpty)
            return StreamParseResult.Failure(StreamParseErrorCode.Empty, "empty frame");
        try
        {
            return ParseObject(utf8Frame, knownStreamSid);
        }
        catch (JsonException error)
        {
            return StreamParseResult.Failure(StreamParseErrorCode.InvalidJson, error.Message);
        }
        catch (InvalidOperationException error)
        {
            return StreamParseResult.Failure(StreamParseErrorCode.InvalidJson, error.Message);
        }
    }

    /// <summary>Parses a UTF-8 text frame held in memory.</summary>
    public static StreamParseResult Parse(ReadOnlyMemory<byte> utf8Frame, string? knownStreamSid = null) => Parse(utf8Frame.Span, knownStreamSid);

    /// <summary>Parses a frame given as a string (tests, tools). Hot paths should pass the received bytes.</summary>
    public static StreamParseResult Parse(string frame, string? knownStreamSid = null)
    {
        if (frame.Length > MaxFrameBytes)
            return StreamParseResult.Failure(StreamParseErrorCode.TooLarge, $"frame of {frame.Length} chars exceeds {MaxFrameBytes}");
        return Parse(Encoding.UTF8.GetBytes(frame), knownStreamSid);
    }

    private ref struct Fields
    {
        public StreamEventType Event;
        public string? UnknownEventName;
        public bool HasEvent;
        public string? StreamSid;
        public long? Sequence;
        public string? From, To, CallSid, Protocol, Version;
        public string? StartStreamSid, StartAccountSid, StartCallSid, StartFrom, StartTo, StartDirection;
        public MediaFormat? MediaFormat;
        public Dictionary<string, string>? CustomParameters;
        public bool HasPayload;
        public byte[]? Payload;
        public int PayloadLength;
        public bool PayloadInvalid;
        public long? Chunk, Timestamp;
        public bool ChunkIsNumber;
        public string? Digit, MarkName, StopAccountSid, StopCallSid, StopReason;
    }

    private static StreamParseResult ParseObject(ReadOnlySpan<byte> frame, string? knownStreamSid)
    {
        var reader = new Utf8JsonReader(frame, ReaderOptions);
        if (!reader.Read()) return StreamParseResult.Failure(StreamParseErrorCode.Empty, "empty frame");
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            while (reader.Read()) { }
            return StreamParseResult.Failure(StreamParseErrorCode.NotAnObject, $"frame is a JSON {reader.TokenType}, not an object");
        }

        var f = new Fields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("event"u8)) { reader.Read(); ReadEvent(ref reader, ref f); }
            else if (reader.ValueTextEquals("streamSid"u8)) { reader.Read(); f.StreamSid = ReadString(ref reader, knownStreamSid); }
            else if (reader.ValueTextEquals("sequenceNumber"u8)) { reader.Read(); f.Sequence = ReadInt64(ref reader, out _); }
            else if (reader.ValueTextEquals("start"u8)) { reader.Read(); ReadStart(ref reader, frame, ref f, knownStreamSid); }
            else if (reader.ValueTextEquals("media"u8)) { reader.Read(); ReadMedia(ref reader, ref f); }
            else if (reader.ValueTextEquals("dtmf"u8)) { reader.Read(); ReadNested(ref reader, "digit"u8, ref f.Digit); }
            else if (reader.ValueTextEquals("mark"u8)) { reader.Read(); ReadNested(ref reader, "name"u8, ref f.MarkName); }
            else if (reader.ValueTextEquals("stop"u8)) { reader.Read(); ReadStop(ref reader, ref f); }
            else if (reader.ValueTextEquals("from"u8)) { reader.Read(); f.From = ReadString(ref reader); }
            else if (reader.ValueTextEquals("to"u8)) { reader.Read(); f.To = ReadString(ref reader); }
            else if (reader.ValueTextEquals("call_sid"u8) || reader.ValueTextEquals("callSid"u8)) { reader.Read(); f.CallSid = ReadString(ref reader); }
            else if (reader.ValueTextEquals("protocol"u8)) { reader.Read(); f.Protocol = ReadString(ref reader); }
            else if (reader.ValueTextEquals("version"u8)) { reader.Read(); f.Version = ReadString(ref reader); }
            else { reader.Read(); reader.Skip(); }
        }
        // Reading past the root object surfaces trailing garbage as a JsonException.
        while (reader.Read()) { }

        return Build(ref f);
    }

    private static StreamParseResult Build(ref Fields f)
    {
        if (!f.HasEvent) return StreamParseResult.Failure(StreamParseErrorCode.MissingEvent, "no string \"event\"");
        var eventName = f.UnknownEventName ?? f.Event.ToString().ToLowerInvariant();
        switch (f.Event)
        {
            case StreamEventType.Connected:
                return StreamParseResult.Success(new ConnectedMessage { StreamSid = f.StreamSid, SequenceNumber = f.Sequence, Protocol = f.Protocol, Version = f.Version });

            case StreamEventType.Start:
                var streamSid = f.StreamSid ?? f.StartStreamSid;
                if (streamSid is null) return StreamParseResult.Failure(StreamParseErrorCode.MissingField, "start carries no streamSid", eventName);
                return StreamParseResult.Success(new StartMessage
                {
                    StreamSid = streamSid,
                    SequenceNumber = f.Sequence,
                    AccountSid = f.StartAccountSid,
                    CallSid = f.StartCallSid ?? f.CallSid,
                    From = f.StartFrom ?? f.From,
                    To = f.StartTo ?? f.To,
                    Direction = CallDirections.Parse(f.StartDirection),
                    MediaFormat = f.MediaFormat,
                    CustomParameters = f.CustomParameters ?? StartMessage.EmptyParameters,
                });

            case StreamEventType.Media:
                if (f.PayloadInvalid) return StreamParseResult.Failure(StreamParseErrorCode.InvalidPayload, "media.payload is not base64", eventName);
                if (!f.HasPayload) return StreamParseResult.Failure(StreamParseErrorCode.MissingField, "media carries no payload", eventName);
                return StreamParseResult.Success(new MediaMessage
                {
                    StreamSid = f.StreamSid,
                    SequenceNumber = f.Sequence,
                    Chunk = f.Chunk,
                    ChunkIsJsonNumber = f.ChunkIsNumber,
                    Timestamp = f.Timestamp,
                    Payload = f.Payload is null ? ReadOnlyMemory<byte>.Empty : f.Payload.AsMemory(0, f.PayloadLength),
                });

            case StreamEventType.Dtmf:
                return f.Digit is null
                    ? StreamParseResult.Failure(StreamParseErrorCode.MissingField, "dtmf carries no digit", eventName)
                    : StreamParseResult.Success(new DtmfMessage { StreamSid = f.StreamSid, SequenceNumber = f.Sequence, Digit = f.Digit });

            case StreamEventType.Mark:
                return f.MarkName is null
                    ? StreamParseResult.Failure(StreamParseErrorCode.MissingField, "mark carries no name", eventName)
                    : StreamParseResult.Success(new MarkMessage { StreamSid = f.StreamSid, SequenceNumber = f.Sequence, Name = f.MarkName });

            case StreamEventType.Stop:
                return StreamParseResult.Success(new StopMessage
                {
                    StreamSid = f.StreamSid, SequenceNumber = f.Sequence,
                    AccountSid = f.StopAccountSid, CallSid = f.StopCallSid ?? f.CallSid, Reason = f.StopReason,
                });

            case StreamEventType.Clear:
                return StreamParseResult.Success(new ClearMessage { StreamSid = f.StreamSid, SequenceNumber = f.Sequence });

            case StreamEventType.End:
                return StreamParseResult.Success(new EndMessage { StreamSid = f.StreamSid, SequenceNumber = f.Sequence, CallSid = f.CallSid });

            default:
                return StreamParseResult.Success(new UnknownMessage { StreamSid = f.StreamSid, SequenceNumber = f.Sequence, EventName = eventName });
        }
    }

    private static void ReadEvent(ref Utf8JsonReader reader, ref Fields f)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return;
        }
        f.HasEvent = true;
        f.UnknownEventName = null;
        f.Event =
            reader.ValueTextEquals("media"u8) ? StreamEventType.Media
            : reader.ValueTextEquals("mark"u8) ? StreamEventType.Mark
            : reader.ValueTextEquals("start"u8) ? StreamEventType.Start
            : reader.ValueTextEquals("connected"u8) ? StreamEventType.Connected
            : reader.ValueTextEquals("dtmf"u8) ? StreamEventType.Dtmf
            : reader.ValueTextEquals("stop"u8) ? StreamEventType.Stop
            : reader.ValueTextEquals("clear"u8) ? StreamEventType.Clear
            : reader.ValueTextEquals("end"u8) ? StreamEventType.End
            : StreamEventType.Unknown;
        if (f.Event == StreamEventType.Unknown) f.UnknownEventName = reader.GetString() ?? "";
    }

    private static void ReadStart(ref Utf8JsonReader reader, ReadOnlySpan<byte> frame, ref Fields f, string? knownStreamSid)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("streamSid"u8)) { reader.Read(); f.StartStreamSid = ReadString(ref reader, knownStreamSid); }
            else if (reader.ValueTextEquals("accountSid"u8)) { reader.Read(); f.StartAccountSid = ReadString(ref reader); }
            else if (reader.ValueTextEquals("callSid"u8)) { reader.Read(); f.StartCallSid = ReadString(ref reader); }
            else if (reader.ValueTextEquals("from"u8)) { reader.Read(); f.StartFrom = ReadString(ref reader); }
            else if (reader.ValueTextEquals("to"u8)) { reader.Read(); f.StartTo = ReadString(ref reader); }
            else if (reader.ValueTextEquals("direction"u8)) { reader.Read(); f.StartDirection = ReadString(ref reader); }
            else if (reader.ValueTextEquals("mediaFormat"u8)) { reader.Read(); f.MediaFormat = ReadMediaFormat(ref reader); }
            else if (reader.ValueTextEquals("customParameters"u8)) { reader.Read(); f.CustomParameters = ReadParameters(ref reader, frame); }
            else { reader.Read(); reader.Skip(); }
        }
    }

    private static MediaFormat? ReadMediaFormat(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        string? encoding = null;
        long? sampleRate = null, bitRate = null, bitDepth = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("encoding"u8)) { reader.Read(); encoding = ReadString(ref reader); }
            else if (reader.ValueTextEquals("sampleRate"u8)) { reader.Read(); sampleRate = ReadInt64(ref reader, out _); }
            else if (reader.ValueTextEquals("bitRate"u8)) { reader.Read(); bitRate = ReadInt64(ref reader, out _); }
            else if (reader.ValueTextEquals("bitDepth"u8)) { reader.Read(); bitDepth = ReadInt64(ref reader, out _); }
            else { reader.Read(); reader.Skip(); }
        }
        return new MediaFormat(encoding, ToInt32(sampleRate), ToInt32(bitRate), ToInt32(bitDepth));
    }

    private static Dictionary<string, string>? ReadParameters(ref Utf8JsonReader reader, ReadOnlySpan<byte> frame)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString() ?? "";
            reader.Read();
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                parameters[name] = Encoding.UTF8.GetString(frame[start..(int)reader.BytesConsumed]);
            }
            else if (ReadString(ref reader) is { } value)
            {
                parameters[name] = value;
            }
        }
        return parameters;
    }

    private static void ReadMedia(ref Utf8JsonReader reader, ref Fields f)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("payload"u8)) { reader.Read(); ReadPayload(ref reader, ref f); }
            else if (reader.ValueTextEquals("chunk"u8)) { reader.Read(); f.Chunk = ReadInt64(ref reader, out f.ChunkIsNumber); }
            else if (reader.ValueTextEquals("timestamp"u8)) { reader.Read(); f.Timestamp = ReadInt64(ref reader, out _); }
            else { reader.Read(); reader.Skip(); }
        }
    }

    private static void ReadPayload(ref Utf8JsonReader reader, ref Fields f)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            f.PayloadInvalid = reader.TokenType != JsonTokenType.Null;
            return;
        }
        f.HasPayload = true;
        f.PayloadInvalid = false;
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> base64;
            if (reader.ValueIsEscaped)
            {
                rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                base64 = rented.AsSpan(0, reader.CopyString(rented));
            }
            else
            {
                base64 = reader.ValueSpan;
            }
            var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
            var status = Base64.DecodeFromUtf8(base64, decoded, out _, out var written);
            if (status != OperationStatus.Done)
            {
                f.PayloadInvalid = true;
                return;
            }
            f.Payload = decoded;
            f.PayloadLength = written;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void ReadStop(ref Utf8JsonReader reader, ref Fields f)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("accountSid"u8)) { reader.Read(); f.StopAccountSid = ReadString(ref reader); }
            else if (reader.ValueTextEquals("callSid"u8)) { reader.Read(); f.StopCallSid = ReadString(ref reader); }
            else if (reader.ValueTextEquals("reason"u8)) { reader.Read(); f.StopReason = ReadString(ref reader); }
            else { reader.Read(); reader.Skip(); }
        }
    }

    /// <summary>Reads <c>{"&lt;name&gt;": value}</c> into <paramref name="target"/>; other shapes leave it unset.</summary>
    private static void ReadNested(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, ref string? target)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match) target = ReadString(ref reader);
            else reader.Skip();
        }
    }

    /// <summary>String or number as text; null, objects and arrays as null.</summary>
    private static string? ReadString(ref Utf8JsonReader reader, string? known = null)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return known is not null && reader.ValueTextEquals(known) ? known : reader.GetString();
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.ValueSpan);
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            default:
                reader.Skip();
                return null;
        }
    }

    /// <summary>Integer from a JSON number or a numeric string; fractional values round; anything else is null.</summary>
    private static long? ReadInt64(ref Utf8JsonReader reader, out bool wasNumber)
    {
        wasNumber = false;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var integer))
                {
                    wasNumber = true;
                    return integer;
                }
                return reader.TryGetDouble(out var real) && double.IsFinite(real) && Math.Abs(real) < 9e18 ? (long)Math.Round(real) : null;
            case JsonTokenType.String:
                if (!reader.ValueIsEscaped && Utf8Parser.TryParse(reader.ValueSpan, out long parsed, out var consumed) && consumed == reader.ValueSpan.Length)
                    return parsed;
                var text = reader.GetString();
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out parsed)) return parsed;
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out real) && double.IsFinite(real) && Math.Abs(real) < 9e18
                    ? (long)Math.Round(real)
                    : null;
            default:
                reader.Skip();
                return null;
        }
    }

    private static int? ToInt32(long? value) => value is >= int.MinValue and <= int.MaxValue ? (int)value : null;
}
