using System.Buffers;
using System.Text;
using Awaaz.Smartflo.Streaming;
using FsCheck;
using FsCheck.Fluent;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Streaming;

public sealed class BotFrameWriterTests
{
    private const string StreamSid = "MZ7f3c2a1b9e8d4c6fa0b1c2d3e4f5a6b7";

    private static string Text(ArrayBufferWriter<byte> buffer) => Encoding.UTF8.GetString(buffer.WrittenSpan);

    [Fact]
    public void Media_frame_has_the_exact_shape_with_an_integer_chunk()
    {
        var writer = new BotFrameWriter(StreamSid);
        var buffer = new ArrayBufferWriter<byte>();
        writer.WriteMedia(buffer, Enumerable.Repeat((byte)0xFF, 160).ToArray());

        var payload = Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, 160).ToArray());
        Text(buffer).ShouldBe("{\"event\":\"media\",\"streamSid\":\"" + StreamSid + "\",\"media\":{\"payload\":\"" + payload + "\",\"chunk\":1}}");
    }

    [Fact]
    public void Outbound_frames_round_trip_through_the_parser()
    {
        var writer = new BotFrameWriter(StreamSid);
        var buffer = new ArrayBufferWriter<byte>();
        // Bytes whose base64 contains '+' and '/', which must not be escaped.
        var audio = Enumerable.Range(0, 800).Select(i => (byte)(i % 2 == 0 ? 0xFB : 0xEF)).ToArray();

        writer.WriteMedia(buffer, audio);
        Text(buffer).ShouldContain("+");
        Text(buffer).ShouldNotContain("\\u002B");
        var media = StreamFrameParser.Parse(buffer.WrittenSpan).Message.ShouldBeOfType<MediaMessage>();
        media.StreamSid.ShouldBe(StreamSid);
        media.Chunk.ShouldBe(1);
        media.ChunkIsJsonNumber.ShouldBeTrue();
        media.Payload.ToArray().ShouldBe(audio);

        buffer.ResetWrittenCount();
        writer.WriteMark(buffer, "t3.2");
        StreamFrameParser.Parse(buffer.WrittenSpan).Message.ShouldBe(new MarkMessage { StreamSid = StreamSid, Name = "t3.2" });

        buffer.ResetWrittenCount();
        writer.WriteClear(buffer);
        Text(buffer).ShouldBe($$"""{"event":"clear","streamSid":"{{StreamSid}}"}""");
        StreamFrameParser.Parse(buffer.WrittenSpan).Message.ShouldBe(new ClearMessage { StreamSid = StreamSid });

        buffer.ResetWrittenCount();
        writer.WriteEnd(buffer, "h11.08-1776875353.216650");
        StreamFrameParser.Parse(buffer.WrittenSpan).Message.ShouldBe(new EndMessage { StreamSid = StreamSid, CallSid = "h11.08-1776875353.216650" });

        buffer.ResetWrittenCount();
        BotFrameWriter.WriteConnected(buffer);
        Text(buffer).ShouldBe("""{"event":"connected"}""");
    }

    [Fact]
    public void Chunk_counts_from_one_and_is_not_reset_by_clear()
    {
        var writer = new BotFrameWriter(StreamSid);
        var buffer = new ArrayBufferWriter<byte>();
        var chunks = new List<long?>();
        for (var i = 0; i < 5; i++)
        {
            if (i == 2) writer.WriteClear(new ArrayBufferWriter<byte>());
            buffer.ResetWrittenCount();
            writer.WriteMedia(buffer, new byte[320]);
            chunks.Add(StreamFrameParser.Parse(buffer.WrittenSpan).Message.ShouldBeOfType<MediaMessage>().Chunk);
        }
        chunks.ShouldBe([1L, 2, 3, 4, 5]);
        writer.NextChunk.ShouldBe(6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(159)]
    [InlineData(161)]
    [InlineData(799)]
    public void Media_sizes_that_are_not_multiples_of_160_are_refused(int length)
    {
        var writer = new BotFrameWriter(StreamSid);
        Should.Throw<ArgumentException>(() => writer.WriteMedia(new ArrayBufferWriter<byte>(), new byte[length]));
        writer.NextChunk.ShouldBe(1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("naïve")]
    [InlineData("line\nbreak")]
    public void Mark_names_must_be_short_printable_ascii(string name) =>
        Should.Throw<ArgumentException>(() => new BotFrameWriter(StreamSid).WriteMark(new ArrayBufferWriter<byte>(), name));

    [Fact]
    public void Writing_media_frames_allocates_nothing_once_warm()
    {
        var writer = new BotFrameWriter(StreamSid);
        var buffer = new ArrayBufferWriter<byte>(4096);
        var audio = new byte[800];
        for (var i = 0; i < 10; i++)
        {
            buffer.ResetWrittenCount();
            writer.WriteMedia(buffer, audio);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            buffer.ResetWrittenCount();
            writer.WriteMedia(buffer, audio);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBe(0);
    }

    [Fact]
    public void Any_valid_payload_round_trips() =>
        Prop.ForAll(
            Gen.Choose(1, 20).SelectMany(units => ArbMap.Default.ArbFor<byte>().Generator.ArrayOf(units * BotFrameWriter.FrameUnitBytes)).ToArbitrary(),
            audio =>
            {
                var writer = new BotFrameWriter(StreamSid);
                var buffer = new ArrayBufferWriter<byte>();
                writer.WriteMedia(buffer, audio);
                var parsed = StreamFrameParser.Parse(buffer.WrittenSpan).Message as MediaMessage;
                return parsed is not null && parsed.Payload.Span.SequenceEqual(audio) && parsed.Chunk == 1;
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    [Fact]
    public void The_parser_never_throws_on_arbitrary_input() =>
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), ArbMap.Default.ArbFor<byte[]>(), (text, bytes) =>
        {
            var fromText = StreamFrameParser.Parse(text ?? "");
            var fromBytes = StreamFrameParser.Parse(bytes ?? []);
            var wrapped = StreamFrameParser.Parse("{\"event\":\"media\",\"media\":{\"payload\":" + System.Text.Json.JsonSerializer.Serialize(text) + "}}");
            return fromText.IsSuccess != (fromText.Error is not null)
                   && fromBytes.IsSuccess != (fromBytes.Error is not null)
                   && wrapped.IsSuccess != (wrapped.Error is not null);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
}
