using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Awaaz.Smartflo.Streaming;

/// <summary>
/// Writes the frames Smartflo sends to a voice bot (spec §11.3), in Smartflo's own conventions: numeric values as
/// strings (<c>sequenceNumber</c>, <c>chunk</c>, <c>timestamp</c>) except inside <c>mediaFormat</c>, <c>sequenceNumber</c>
/// <c>"1"</c> on <c>start</c> and +1 on every later message. For simulators and protocol tests.
/// Not thread-safe: use it from one send loop per stream.
/// </summary>
/// <param name="streamSid">The stream's id.</param>
/// <param name="accountSid">Account id placed in <c>start</c> and <c>stop</c>.</param>
/// <param name="callSid">Smartflo call id placed in <c>start</c> and <c>stop</c>.</param>
public sealed class CarrierFrameWriter(string streamSid, string accountSid, string callSid)
{
    private long _nextSequence = 1;
    private long _nextChunk = 1;

    /// <summary>The stream's id.</summary>
    public string StreamSid { get; } = streamSid;

    /// <summary>Writes <c>{"event":"connected"}</c> plus optional extra keys (<c>protocol</c>, <c>version</c>).</summary>
    public void WriteConnected(IBufferWriter<byte> output, string? protocol = null, string? version = null)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("event", "connected");
        if (protocol is not null) json.WriteString("protocol", protocol);
        if (version is not null) json.WriteString("version", version);
        json.WriteEndObject();
    }

    /// <summary>Writes <c>start</c> with µ-law 8 kHz <c>mediaFormat</c>.</summary>
    public void WriteStart(IBufferWriter<byte> output, string from, string to, CallDirection direction = CallDirection.Unknown,
        IReadOnlyDictionary<string, string>? customParameters = null)
    {
        using var json = Begin(output, "start");
        json.WriteStartObject("start");
        json.WriteString("accountSid", accountSid);
        json.WriteString("streamSid", StreamSid);
        json.WriteString("callSid", callSid);
        json.WriteString("from", from);
        json.WriteString("to", to);
        if (direction != CallDirection.Unknown) json.WriteString("direction", direction == CallDirection.Inbound ? "inbound" : "outbound");
        json.WriteStartObject("mediaFormat");
        json.WriteString("encoding", "audio/x-mulaw");
        json.WriteNumber("sampleRate", 8000);
        json.WriteNumber("bitRate", 64);
        json.WriteNumber("bitDepth", 8);
        json.WriteEndObject();
        json.WriteStartObject("customParameters");
        foreach (var (key, value) in customParameters ?? StartMessage.EmptyParameters) json.WriteString(key, value);
        json.WriteEndObject();
        json.WriteEndObject();
        Finish(json);
    }

    /// <summary>Writes <c>media</c> with string <c>chunk</c> (from 1) and <c>timestamp</c> (ms since stream start).</summary>
    public void WriteMedia(IBufferWriter<byte> output, ReadOnlySpan<byte> mulaw, long timestampMs)
    {
        using var json = Begin(output, "media");
        json.WriteStartObject("media");
        json.WriteString("chunk", (_nextChunk++).ToString(CultureInfo.InvariantCulture));
        json.WriteString("timestamp", timestampMs.ToString(CultureInfo.InvariantCulture));
        json.WriteBase64String("payload", mulaw);
        json.WriteEndObject();
        Finish(json);
    }

    /// <summary>Writes <c>dtmf</c> with a one-character digit.</summary>
    public void WriteDtmf(IBufferWriter<byte> output, char digit)
    {
        using var json = Begin(output, "dtmf");
        json.WriteStartObject("dtmf");
        json.WriteString("digit", digit.ToString());
        json.WriteEndObject();
        Finish(json);
    }

    /// <summary>Writes a <c>mark</c> echo.</summary>
    public void WriteMark(IBufferWriter<byte> output, string name)
    {
        using var json = Begin(output, "mark");
        json.WriteStartObject("mark");
        json.WriteString("name", name);
        json.WriteEndObject();
        Finish(json);
    }

    /// <summary>Writes <c>stop</c> with a free-text reason.</summary>
    public void WriteStop(IBufferWriter<byte> output, string reason = "The caller disconnected the call")
    {
        using var json = Begin(output, "stop");
        json.WriteStartObject("stop");
        json.WriteString("accountSid", accountSid);
        json.WriteString("callSid", callSid);
        json.WriteString("reason", reason);
        json.WriteEndObject();
        Finish(json);
    }

    private Utf8JsonWriter Begin(IBufferWriter<byte> output, string eventName)
    {
        var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("event", eventName);
        json.WriteString("sequenceNumber", (_nextSequence++).ToString(CultureInfo.InvariantCulture));
        return json;
    }

    private void Finish(Utf8JsonWriter json)
    {
        json.WriteString("streamSid", StreamSid);
        json.WriteEndObject();
        json.Flush();
    }
}
