using System.Buffers;
using System.Text.Json;

namespace Awaaz.Smartflo.Streaming;

/// <summary>
/// Writes the frames the voice bot sends to Smartflo (spec §11.4) for one stream: <c>media</c> with an integer
/// <c>chunk</c> that starts at 1 and is never reset, <c>mark</c>, <c>clear</c>, <c>end</c>, and <c>connected</c>
/// for the <c>send_connected_first</c> switch. Frames go into a caller-owned, reusable
/// <see cref="IBufferWriter{T}"/>; the JSON writer and every constant are reused, so a media frame allocates nothing:
/// the payload is base64-encoded straight into the output buffer by <see cref="Utf8JsonWriter.WriteBase64String(JsonEncodedText, ReadOnlySpan{byte})"/>
/// (which runs <see cref="System.Buffers.Text.Base64"/> on the destination span).
/// Not thread-safe: use it from the stream's single send loop.
/// </summary>
public sealed class BotFrameWriter
{
    /// <summary>Media payloads are whole multiples of this many bytes (20 ms of 8 kHz µ-law; spec §11.4).</summary>
    public const int FrameUnitBytes = 160;

    /// <summary>Longest mark name (spec §11.4).</summary>
    public const int MaxMarkNameLength = 64;

    private readonly Utf8JsonWriter _json = new(new ArrayBufferWriter<byte>(1), new JsonWriterOptions { SkipValidation = true });
    private readonly JsonEncodedText _streamSid;
    private long _nextChunk = 1;

    /// <summary>Creates the writer for one stream.</summary>
    /// <param name="streamSid">The stream's <c>streamSid</c> from <c>start</c> (or the first <c>media</c>).</param>
    public BotFrameWriter(string streamSid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamSid);
        StreamSid = streamSid;
        _streamSid = JsonEncodedText.Encode(streamSid);
    }

    /// <summary>The stream every frame is addressed to.</summary>
    public string StreamSid { get; }

    /// <summary>The <c>chunk</c> the next media frame will carry.</summary>
    public long NextChunk => _nextChunk;

    /// <summary>True when <paramref name="length"/> is a valid outbound media payload size: ≥ 160 and a multiple of 160.</summary>
    public static bool IsValidMediaLength(int length) => length >= FrameUnitBytes && length % FrameUnitBytes == 0;

    /// <summary>
    /// Writes <c>{"event":"media","streamSid":…,"media":{"payload":"&lt;base64&gt;","chunk":N}}</c> and advances the chunk counter.
    /// </summary>
    /// <exception cref="ArgumentException">The payload is not a positive multiple of 160 bytes (pad with 0xFF, µ-law silence).</exception>
    public void WriteMedia(IBufferWriter<byte> output, ReadOnlySpan<byte> mulaw)
    {
        if (!IsValidMediaLength(mulaw.Length))
            throw new ArgumentException($"Media payloads must be at least {FrameUnitBytes} bytes and a multiple of {FrameUnitBytes}; got {mulaw.Length}.", nameof(mulaw));
        var json = Begin(output, Names.MediaEvent);
        json.WriteStartObject(Names.Media);
        json.WriteBase64String(Names.Payload, mulaw);
        json.WriteNumber(Names.Chunk, _nextChunk++);
        json.WriteEndObject();
        End(json);
    }

    /// <summary>Writes <c>{"event":"mark","streamSid":…,"mark":{"name":…}}</c>.</summary>
    /// <exception cref="ArgumentException">The name is empty, longer than 64 characters or not printable ASCII.</exception>
    public void WriteMark(IBufferWriter<byte> output, string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxMarkNameLength || name.Any(c => c is < ' ' or > '~'))
            throw new ArgumentException($"Mark names are 1–{MaxMarkNameLength} printable ASCII characters.", nameof(name));
        var json = Begin(output, Names.MarkEvent);
        json.WriteStartObject(Names.Mark);
        json.WriteString(Names.Name, name);
        json.WriteEndObject();
        End(json);
    }

    /// <summary>Writes <c>{"event":"clear","streamSid":…}</c>. The chunk counter is not reset.</summary>
    public void WriteClear(IBufferWriter<byte> output) => End(Begin(output, Names.ClearEvent));

    /// <summary>Writes <c>{"event":"end","streamSid":…,"call_sid":…}</c> (only when REST hangup is unavailable or <c>socket_end_event</c> is on).</summary>
    public void WriteEnd(IBufferWriter<byte> output, string? callSid)
    {
        var json = Begin(output, Names.EndEvent);
        if (!string.IsNullOrEmpty(callSid)) json.WriteString(Names.CallSid, callSid);
        End(json);
    }

    /// <summary>Writes <c>{"event":"connected"}</c>, sent first only under the <c>send_connected_first</c> switch.</summary>
    public static void WriteConnected(IBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString(Names.Event, Names.ConnectedEvent);
        json.WriteEndObject();
    }

    private Utf8JsonWriter Begin(IBufferWriter<byte> output, JsonEncodedText eventName)
    {
        ArgumentNullException.ThrowIfNull(output);
        _json.Reset(output);
        _json.WriteStartObject();
        _json.WriteString(Names.Event, eventName);
        _json.WriteString(Names.StreamSid, _streamSid);
        return _json;
    }

    private static void End(Utf8JsonWriter json)
    {
        json.WriteEndObject();
        json.Flush();
    }

    /// <summary>Pre-encoded property names and event values shared by the writers.</summary>
    internal static class Names
    {
        public static readonly JsonEncodedText Event = JsonEncodedText.Encode("event");
        public static readonly JsonEncodedText StreamSid = JsonEncodedText.Encode("streamSid");
        public static readonly JsonEncodedText SequenceNumber = JsonEncodedText.Encode("sequenceNumber");
        public static readonly JsonEncodedText Media = JsonEncodedText.Encode("media");
        public static readonly JsonEncodedText Payload = JsonEncodedText.Encode("payload");
        public static readonly JsonEncodedText Chunk = JsonEncodedText.Encode("chunk");
        public static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("timestamp");
        public static readonly JsonEncodedText Mark = JsonEncodedText.Encode("mark");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public static readonly JsonEncodedText CallSid = JsonEncodedText.Encode("call_sid");
        public static readonly JsonEncodedText MediaEvent = JsonEncodedText.Encode("media");
        public static readonly JsonEncodedText MarkEvent = JsonEncodedText.Encode("mark");
        public static readonly JsonEncodedText ClearEvent = JsonEncodedText.Encode("clear");
        public static readonly JsonEncodedText EndEvent = JsonEncodedText.Encode("end");
        public static readonly JsonEncodedText ConnectedEvent = JsonEncodedText.Encode("connected");
    }
}
