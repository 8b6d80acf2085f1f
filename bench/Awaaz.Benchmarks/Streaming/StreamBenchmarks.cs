using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Awaaz.Media;
using Awaaz.Server.Calls;
using Awaaz.Server.Telephony.Smartflo;
using Awaaz.Server.Voice;
using Awaaz.Smartflo.Streaming;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace Awaaz.Benchmarks.Streaming;

/// <summary>
/// The Smartflo stream codec on one 100 ms frame (800 µ-law bytes): parsing a caller <c>media</c> message as Smartflo
/// sends it (§11.3, string numerics, base64 payload) and writing a bot <c>media</c> message (§11.4).
/// </summary>
[MemoryDiagnoser]
public class StreamFrameBenchmarks
{
    private const string StreamSid = "MZ1ae5b03f06635992e35cff8f3c2b63ef";
    private byte[] _mediaFrame = [];
    private byte[] _markFrame = [];
    private readonly byte[] _mulaw = new byte[800];
    private readonly ArrayBufferWriter<byte> _output = new(2048);
    private readonly BotFrameWriter _writer = new(StreamSid);

    [GlobalSetup]
    public void Setup()
    {
        new Random(3).NextBytes(_mulaw);
        var carrier = new CarrierFrameWriter(StreamSid, "AC" + new string('0', 32), "h3.08-1770534283.2156835");
        var buffer = new ArrayBufferWriter<byte>();
        carrier.WriteMedia(buffer, _mulaw, 1200);
        _mediaFrame = buffer.WrittenSpan.ToArray();
        buffer.Clear();
        carrier.WriteMark(buffer, "t3.1");
        _markFrame = buffer.WrittenSpan.ToArray();
        if (StreamFrameParser.Parse(_mediaFrame, StreamSid).Message is not MediaMessage { Payload.Length: 800 })
            throw new InvalidOperationException("setup: the media frame does not parse: " + Encoding.UTF8.GetString(_mediaFrame));
    }

    /// <summary>Caller media frame (≈1.2 KB of JSON) → <see cref="MediaMessage"/> with the decoded 800-byte payload.</summary>
    [Benchmark]
    public StreamMessage? ParseMedia() => StreamFrameParser.Parse(_mediaFrame, StreamSid).Message;

    [Benchmark]
    public StreamMessage? ParseMark() => StreamFrameParser.Parse(_markFrame, StreamSid).Message;

    /// <summary>800 µ-law bytes → bot media JSON in a reused buffer (what the session's send loop does per frame).</summary>
    [Benchmark]
    public int WriteMedia()
    {
        _output.Clear();
        _writer.WriteMedia(_output, _mulaw);
        return _output.WrittenCount;
    }
}

/// <summary>
/// Per-frame work of <c>StreamSession</c> without the socket, calling the same code in the same order:
/// inbound, parse → decode to a new PCM array → <see cref="CallerAudio"/> into the agent channel (read back here);
/// outbound, 800 bytes of agent audio → framer → playout clock → bot media JSON.
/// </summary>
[MemoryDiagnoser]
public class SessionFramePathBenchmarks
{
    private const string StreamSid = "MZ1ae5b03f06635992e35cff8f3c2b63ef";
    private byte[] _mediaFrame = [];
    private readonly byte[] _agentAudio = new byte[800];
    private readonly byte[] _frame = new byte[OutboundFramer.MaxFrameBytes];
    private readonly ArrayBufferWriter<byte> _output = new(2048);
    private readonly Channel<CallerInput> _input = Channel.CreateBounded<CallerInput>(new BoundedChannelOptions(500) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true });
    private readonly BotFrameWriter _writer = new(StreamSid);
    private readonly SteppingClock _time = new();
    private OutboundFramer _framer = null!;
    private PlayoutClock _clock = null!;

    [GlobalSetup]
    public void Setup()
    {
        var mulaw = new byte[800];
        new Random(4).NextBytes(mulaw);
        new Random(5).NextBytes(_agentAudio);
        var buffer = new ArrayBufferWriter<byte>();
        new CarrierFrameWriter(StreamSid, "AC" + new string('0', 32), "h3.08-1770534283.2156835").WriteMedia(buffer, mulaw, 1200);
        _mediaFrame = buffer.WrittenSpan.ToArray();
        _framer = new OutboundFramer(_time);
        _clock = new PlayoutClock(_time, TimeSpan.FromMilliseconds(600));
    }

    /// <summary>One caller media message as <c>StreamSession.ReceiveLoopAsync</c> + <c>OnMedia</c> handle it (recording off).</summary>
    [Benchmark]
    public int InboundMediaFrame()
    {
        var media = (MediaMessage)StreamFrameParser.Parse(_mediaFrame, StreamSid).Message!;
        var payload = media.Payload.Span;
        var samples = new short[payload.Length];
        MuLaw.Decode(payload, samples);
        _input.Writer.TryWrite(new CallerAudio(TimeSpan.FromMilliseconds(media.Timestamp ?? 0), samples));
        _input.Reader.TryRead(out var read); // the agent's side of the channel
        return ((CallerAudio)read!).Samples.Length;
    }

    /// <summary>One 100 ms agent frame as <c>StreamSession.SendLoopAsync</c> prepares it (the clock advances 100 ms per frame, so pacing never waits).</summary>
    [Benchmark]
    public int OutboundMediaFrame()
    {
        _framer.Append(_agentAudio);
        _framer.TryTakeFrame(_frame, out var taken);
        _clock.DelayBeforeSending(taken.Length);
        _output.Clear();
        _writer.WriteMedia(_output, _frame.AsSpan(0, taken.Length));
        _clock.Sent(taken.Length);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        return _output.WrittenCount;
    }

    private sealed class SteppingClock : TimeProvider
    {
        private long _ticks;
        public override long GetTimestamp() => _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}

/// <summary>
/// Resolver request parsing (§9.4): the panel's POST body and the GET query, through <see cref="ResolverEndpoint.ReadInputsAsync"/>
/// on a fresh <see cref="DefaultHttpContext"/> (the baseline measures building that context alone).
/// </summary>
[MemoryDiagnoser]
public class ResolverParsingBenchmarks
{
    private static readonly byte[] PanelBody = Encoding.UTF8.GetBytes("""{"callId":"h3.08-1770534283.2156835","fromNumber":"9876543210","toNumber":"8071000002","status":"answered"}""");
    private const string Secret = "?secret=sfs_hiLbwnu9lfUeXHcocHdlirQWBwm9WyvX";

    private static DefaultHttpContext Context(string method, string query, byte[]? body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.QueryString = new QueryString(query);
        if (body is not null)
        {
            context.Request.ContentType = "application/json";
            context.Request.ContentLength = body.Length;
            context.Request.Body = new MemoryStream(body, writable: false);
        }
        return context;
    }

    [Benchmark(Baseline = true)]
    public HttpRequest ContextOnly() => Context("POST", Secret, PanelBody).Request;

    [Benchmark]
    public Task<ResolverInputs> PostJsonBody() => ResolverEndpoint.ReadInputsAsync(Context("POST", Secret, PanelBody).Request, CancellationToken.None);

    [Benchmark]
    public Task<ResolverInputs> GetQuery() => ResolverEndpoint.ReadInputsAsync(
        Context("GET", Secret + "&callId=h3.08-1770534283.2156835&fromNumber=9876543210&toNumber=8071000002&status=answered", null).Request, CancellationToken.None);

    [Benchmark]
    public byte[] AcceptBody() => ResolverEndpoint.AcceptBody("https://awaaz.example.com", "Vq3kM1x9bZ0rT5uY7wE2pL4nC8aS6dF0gH1jK3lQ9zX");
}
