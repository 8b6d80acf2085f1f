using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Streaming;
using Awaaz.Smartflo.Tests.Support;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Streaming;

public sealed class StreamFrameParserTests
{
    private const string StreamSid = "MZ7f3c2a1b9e8d4c6fa0b1c2d3e4f5a6b7";
    private const string AccountSid = "AC4e2d1c0b9a8f7e6d5c4b3a2918070f6e";
    private const string CallSid = "h11.08-1776875353.216650";

    private static IReadOnlyList<byte[]> FixtureLines() =>
        Fixtures.Text("ws-inbound-sequence.jsonl").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Encoding.UTF8.GetBytes).ToList();

    private static T Parse<T>(ReadOnlySpan<byte> frame) where T : StreamMessage
    {
        var result = StreamFrameParser.Parse(frame);
        result.IsSuccess.ShouldBeTrue(result.Error?.Message);
        return result.Message.ShouldBeOfType<T>();
    }

    [Fact]
    public void Every_fixture_line_parses_in_the_documented_order()
    {
        var messages = FixtureLines().Select(line => StreamFrameParser.Parse(line).Message!).ToList();

        messages.Select(m => m.Event).ShouldBe([
            StreamEventType.Connected, StreamEventType.Start, StreamEventType.Media, StreamEventType.Media, StreamEventType.Media,
            StreamEventType.Dtmf, StreamEventType.Mark, StreamEventType.Stop]);
        messages.Skip(1).Select(m => m.SequenceNumber).ShouldBe([1L, 2, 3, 4, 5, 6, 7]);
        messages.Skip(1).ShouldAllBe(m => m.StreamSid == StreamSid);
    }

    [Fact]
    public void Start_carries_stream_call_and_format_metadata()
    {
        var start = Parse<StartMessage>(FixtureLines()[1]);

        start.StreamSid.ShouldBe(StreamSid);
        start.AccountSid.ShouldBe(AccountSid);
        start.CallSid.ShouldBe(CallSid);
        start.From.ShouldBe("8065XXXXXX");
        start.To.ShouldBe("98XXXXXXXX");
        start.Direction.ShouldBe(CallDirection.Outbound);
        start.MediaFormat.ShouldBe(new MediaFormat("audio/x-mulaw", 8000, 64, 8));
        start.MediaFormat!.IsMulaw8k.ShouldBeTrue();
        start.CustomParameters.ShouldBeEmpty();
    }

    [Fact]
    public void Media_decodes_800_bytes_of_mulaw_silence_with_string_counters()
    {
        var media = FixtureLines().Skip(2).Take(3).Select(line => Parse<MediaMessage>(line)).ToList();

        media.Select(m => m.Chunk).ShouldBe([1L, 2, 3]);
        media.Select(m => m.Timestamp).ShouldBe([100L, 200, 300]);
        media.ShouldAllBe(m => !m.ChunkIsJsonNumber);
        foreach (var m in media)
        {
            m.Payload.Length.ShouldBe(800);
            m.Payload.ToArray().ShouldAllBe(b => b == 0xFF);
        }
    }

    [Fact]
    public void Dtmf_mark_and_stop_fields()
    {
        var lines = FixtureLines();
        Parse<DtmfMessage>(lines[5]).Digit.ShouldBe("1");
        Parse<MarkMessage>(lines[6]).Name.ShouldBe("t1.1");
        var stop = Parse<StopMessage>(lines[7]);
        stop.Reason.ShouldBe("The caller disconnected the call");
        stop.CallSid.ShouldBe(CallSid);
        stop.AccountSid.ShouldBe(AccountSid);
    }

    [Fact]
    public void A_known_stream_sid_is_reused_instead_of_allocated()
    {
        var known = new string(StreamSid.AsSpan());
        var media = StreamFrameParser.Parse(FixtureLines()[2].AsMemory(), known).Message!;
        ReferenceEquals(media.StreamSid, known).ShouldBeTrue();
    }

    [Fact]
    public void Carrier_writer_reproduces_the_fixture_sequence()
    {
        var writer = new CarrierFrameWriter(StreamSid, AccountSid, CallSid);
        var silence = Enumerable.Repeat((byte)0xFF, 800).ToArray();
        var frames = new List<string>();
        void Capture(Action<IBufferWriter<byte>> write)
        {
            var buffer = new ArrayBufferWriter<byte>();
            write(buffer);
            frames.Add(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }

        Capture(b => writer.WriteConnected(b));
        Capture(b => writer.WriteStart(b, "8065XXXXXX", "98XXXXXXXX", CallDirection.Outbound));
        for (var i = 1; i <= 3; i++) Capture(b => writer.WriteMedia(b, silence, i * 100));
        Capture(b => writer.WriteDtmf(b, '1'));
        Capture(b => writer.WriteMark(b, "t1.1"));
        Capture(b => writer.WriteStop(b));

        var expected = Fixtures.Text("ws-inbound-sequence.jsonl").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        frames.Count.ShouldBe(expected.Length);
        for (var i = 0; i < frames.Count; i++)
            JsonNode.DeepEquals(JsonNode.Parse(frames[i]), JsonNode.Parse(expected[i])).ShouldBeTrue($"line {i + 1}: {frames[i]}");
    }

    [Fact]
    public void Tolerates_extra_keys_any_key_order_numbers_and_top_level_fields()
    {
        var connected = Parse<ConnectedMessage>("""{"protocol":"Call","event":"connected","version":"1.0.0"}"""u8);
        connected.Protocol.ShouldBe("Call");
        connected.Version.ShouldBe("1.0.0");

        var start = Parse<StartMessage>("""
            {"streamSid":"TOP","sequenceNumber":1,"from":"+919876543210","to":"08069123456","extra":{"deep":[1,2]},
             "start":{"streamSid":"NESTED","callSid":"1739257917.28918","customParameters":{"awaaz_call_id":"c1","n":5,"o":{"a":[1]}}},
             "event":"start"}
            """u8);
        start.StreamSid.ShouldBe("TOP");
        start.SequenceNumber.ShouldBe(1);
        start.From.ShouldBe("+919876543210");
        start.To.ShouldBe("08069123456");
        start.Direction.ShouldBe(CallDirection.Unknown);
        start.MediaFormat.ShouldBeNull();
        start.CustomParameters["awaaz_call_id"].ShouldBe("c1");
        start.CustomParameters["n"].ShouldBe("5");
        start.CustomParameters["o"].ShouldBe("""{"a":[1]}""");

        Parse<StartMessage>("""{"event":"start","start":{"streamSid":"ONLY","customParameters":null}}"""u8).StreamSid.ShouldBe("ONLY");

        var media = Parse<MediaMessage>("""{"media":{"timestamp":20,"payload":"\/\/8=","chunk":7,"track":"inbound"},"event":"media"}"""u8);
        media.Chunk.ShouldBe(7);
        media.ChunkIsJsonNumber.ShouldBeTrue();
        media.Timestamp.ShouldBe(20);
        media.Payload.ToArray().ShouldBe(new byte[] { 0xFF, 0xFF });
        media.StreamSid.ShouldBeNull();

        Parse<DtmfMessage>("""{"event":"dtmf","dtmf":{"digit":5}}"""u8).Digit.ShouldBe("5");
        Parse<MediaMessage>("""{"event":"media","media":{"payload":"","chunk":"x"}}"""u8).ShouldSatisfyAllConditions(
            m => m.Payload.IsEmpty.ShouldBeTrue(),
            m => m.Chunk.ShouldBeNull());
    }

    [Fact]
    public void Unknown_events_become_typed_unknown_messages()
    {
        var unknown = Parse<UnknownMessage>("""{"event":"keepalive","streamSid":"MZ1","sequenceNumber":"9"}"""u8);
        unknown.EventName.ShouldBe("keepalive");
        unknown.StreamSid.ShouldBe("MZ1");
        unknown.SequenceNumber.ShouldBe(9);
    }

    [Theory]
    [InlineData("", StreamParseErrorCode.Empty)]
    [InlineData("  \n", StreamParseErrorCode.Empty)]
    [InlineData("{", StreamParseErrorCode.InvalidJson)]
    [InlineData("not json", StreamParseErrorCode.InvalidJson)]
    [InlineData("{\"event\":\"clear\"} trailing", StreamParseErrorCode.InvalidJson)]
    [InlineData("{\"event\":\"clear\",}", StreamParseErrorCode.InvalidJson)]
    [InlineData("[{\"event\":\"media\"}]", StreamParseErrorCode.NotAnObject)]
    [InlineData("42", StreamParseErrorCode.NotAnObject)]
    [InlineData("{}", StreamParseErrorCode.MissingEvent)]
    [InlineData("{\"event\":5}", StreamParseErrorCode.MissingEvent)]
    [InlineData("{\"event\":\"media\",\"media\":{\"chunk\":\"1\"}}", StreamParseErrorCode.MissingField)]
    [InlineData("{\"event\":\"media\",\"media\":{\"payload\":\"@@not base64@@\"}}", StreamParseErrorCode.InvalidPayload)]
    [InlineData("{\"event\":\"media\",\"media\":{\"payload\":42}}", StreamParseErrorCode.InvalidPayload)]
    [InlineData("{\"event\":\"dtmf\",\"dtmf\":{}}", StreamParseErrorCode.MissingField)]
    [InlineData("{\"event\":\"mark\",\"mark\":\"t1\"}", StreamParseErrorCode.MissingField)]
    [InlineData("{\"event\":\"start\",\"start\":{\"callSid\":\"x\"}}", StreamParseErrorCode.MissingField)]
    public void Malformed_frames_give_typed_errors(string frame, StreamParseErrorCode code)
    {
        var result = StreamFrameParser.Parse(frame);
        result.IsSuccess.ShouldBeFalse();
        result.Error.Code.ShouldBe(code);
    }

    [Fact]
    public void Oversized_frames_are_refused_before_parsing()
    {
        var frame = new byte[StreamFrameParser.MaxFrameBytes + 1];
        StreamFrameParser.Parse(frame).Error!.Code.ShouldBe(StreamParseErrorCode.TooLarge);
    }
}
