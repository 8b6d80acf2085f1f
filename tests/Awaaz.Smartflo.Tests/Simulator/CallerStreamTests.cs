using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Awaaz.Media;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Streaming;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>Spec §11.2, §11.3, §16.5: what the simulated Smartflo sends, in which order and shape.</summary>
public sealed class CallerStreamTests
{
    /// <summary>A PCM16 8 kHz mono WAV of <paramref name="samples"/>.</summary>
    internal static string WritePcmWav(short[] samples)
    {
        var path = Path.Combine(Path.GetTempPath(), $"awaaz-caller-{Guid.NewGuid():N}.wav");
        var wav = new byte[44 + samples.Length * 2];
        "RIFF"u8.CopyTo(wav);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(4), 36 + samples.Length * 2);
        "WAVEfmt "u8.CopyTo(wav.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(22), 1);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(24), 8000);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(28), 16000);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(32), 2);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(34), 16);
        "data"u8.CopyTo(wav.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(40), samples.Length * 2);
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(44 + i * 2), samples[i]);
        }

        File.WriteAllBytes(path, wav);
        return path;
    }

    internal static short[] Tone(int count) =>
        Enumerable.Range(0, count).Select(i => (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0))).ToArray();

    [Fact]
    public async Task Stream_sends_connected_start_media_dtmf_and_stop_with_smartflo_string_fields()
    {
        await using var bot = await FakeBot.StartAsync();
        var tone = Tone(2000);
        var wav = WritePcmWav(tone);

        var result = await SmartfloCaller.RunAsync(CallerResolverTests.Options(bot) with
        {
            Audio = CallerAudio.FromFile(wav),
            HangupAfter = TimeSpan.FromMilliseconds(500),
            Dtmf = [new DtmfPress(TimeSpan.FromMilliseconds(300), '7')],
            Direction = CallDirection.Outbound,
            CustomParameters = new Dictionary<string, string> { ["ref_id"] = "r-1" },
        }, TestContext.Current.CancellationToken);
        var session = await bot.NextSessionAsync();
        await session.Finished.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var frames = session.Received;
        var events = session.ReceivedEvents.ToList();

        events[0].ShouldBe("connected");
        events[1].ShouldBe("start");
        events[^1].ShouldBe("stop");
        events.Skip(2).SkipLast(1).Distinct().Order().ShouldBe(["dtmf", "media"]);

        var start = frames[1];
        var streamSid = start["streamSid"]!.GetValue<string>();
        streamSid.ShouldMatch("^MZ[0-9a-f]{32}$");
        start["sequenceNumber"]!.GetValue<string>().ShouldBe("1");
        start["start"]!["streamSid"]!.GetValue<string>().ShouldBe(streamSid);
        start["start"]!["accountSid"]!.GetValue<string>().ShouldMatch("^AC[0-9a-f]{32}$");
        start["start"]!["callSid"]!.GetValue<string>().ShouldBe("h3.08-1770534283.2156835");
        start["start"]!["from"]!.GetValue<string>().ShouldBe("9876543210");
        start["start"]!["to"]!.GetValue<string>().ShouldBe("8069000001");
        start["start"]!["direction"]!.GetValue<string>().ShouldBe("outbound");
        start["start"]!["mediaFormat"]!.ToJsonString().ShouldBe("""{"encoding":"audio/x-mulaw","sampleRate":8000,"bitRate":64,"bitDepth":8}""");
        start["start"]!["customParameters"]!.ToJsonString().ShouldBe("""{"ref_id":"r-1"}""");

        var media = frames.Where(f => f["event"]!.GetValue<string>() == "media").ToList();
        media.Count.ShouldBe(5);
        for (var i = 0; i < media.Count; i++)
        {
            media[i]["media"]!["chunk"]!.GetValue<string>().ShouldBe((i + 1).ToString());
            media[i]["media"]!["timestamp"]!.GetValue<string>().ShouldBe(((i + 1) * 100).ToString());
            media[i]["streamSid"]!.GetValue<string>().ShouldBe(streamSid);
        }

        var sent = media.SelectMany(f => Convert.FromBase64String(f["media"]!["payload"]!.GetValue<string>())).ToArray();
        var expected = new byte[4000];
        MuLaw.Encode(tone, expected);
        sent.Take(2000).ShouldBe(expected.Take(2000));
        sent.Skip(2000).ShouldAllBe(b => b == MuLaw.Silence);

        var sequence = frames.Skip(1).Select(f => f["sequenceNumber"]!.GetValue<string>()).ToList();
        sequence.ShouldBe(Enumerable.Range(1, sequence.Count).Select(n => n.ToString()).ToList());

        var dtmfIndex = events.IndexOf("dtmf");
        frames[dtmfIndex]["dtmf"]!.ToJsonString().ShouldBe("""{"digit":"7"}""");
        frames[dtmfIndex - 1]["media"]!["timestamp"]!.GetValue<string>().ShouldBe("300");

        var stop = frames[^1];
        stop["stop"]!["reason"]!.GetValue<string>().ShouldBe("The caller disconnected the call");
        stop["stop"]!["callSid"]!.GetValue<string>().ShouldBe("h3.08-1770534283.2156835");
        stop["streamSid"]!.GetValue<string>().ShouldBe(streamSid);

        result.EndReason.ShouldBe(StreamEndReason.CallerHangup);
        result.CloseStatus.ShouldBe(WebSocketCloseStatus.NormalClosure);
        result.ClosedByBot.ShouldBeFalse();
        result.DtmfSent.ShouldBe(["7"]);
        result.CallerMediaFrames.ShouldBe(5);
        result.ViolationCount.ShouldBe(0);
    }

    [Fact]
    public async Task Twenty_ms_cadence_sends_160_byte_payloads()
    {
        await using var bot = await FakeBot.StartAsync();

        await SmartfloCaller.RunAsync(CallerResolverTests.Options(bot) with { FrameMs = 20, HangupAfter = TimeSpan.FromMilliseconds(100) },
            TestContext.Current.CancellationToken);
        var session = await bot.NextSessionAsync();
        await session.Finished.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var media = session.Received.Where(f => f["event"]!.GetValue<string>() == "media").ToList();
        media.Select(f => f["media"]!["timestamp"]!.GetValue<string>()).ShouldBe(["20", "40", "60", "80", "100"]);
        media.ShouldAllBe(f => Convert.FromBase64String(f["media"]!["payload"]!.GetValue<string>()).Length == 160);
    }

    [Fact]
    public async Task Mulaw_wav_and_raw_files_are_streamed_as_is()
    {
        var mulaw = Enumerable.Range(0, 1600).Select(i => (byte)(i % 200)).ToArray();
        var wavPath = Path.Combine(Path.GetTempPath(), $"awaaz-ulaw-{Guid.NewGuid():N}.wav");
        var rawPath = Path.ChangeExtension(wavPath, ".ulaw");
        await File.WriteAllBytesAsync(wavPath, MuLawWav.Write(mulaw), TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(rawPath, mulaw, TestContext.Current.CancellationToken);

        CallerAudio.FromFile(wavPath).MuLawBytes.ToArray().ShouldBe(mulaw);
        CallerAudio.FromFile(rawPath).MuLawBytes.ToArray().ShouldBe(mulaw);
        CallerAudio.FromFile(WritePcmWav(Tone(800))).Duration.ShouldBe(TimeSpan.FromMilliseconds(100));
        Should.Throw<InvalidDataException>(() => MuLawWav.ReadAsMuLaw(MuLawWav.Write(mulaw).AsSpan(0, 30)));
    }

    [Fact]
    public async Task Agent_first_stream_sends_silence_until_the_customer_answers()
    {
        await using var bot = await FakeBot.StartAsync();
        var audio = CallerAudio.FromMuLaw(Enumerable.Repeat((byte)0x42, 800).ToArray());

        var caller = SmartfloCaller.Start(CallerResolverTests.Options(bot) with { Audio = audio, WaitForAnswer = true, HangupAfter = null },
            TestContext.Current.CancellationToken);
        var session = await bot.NextSessionAsync();
        await session.WaitForCallerMediaAsync(2);
        caller.Answer();
        await session.WaitForAsync("media", f => Convert.FromBase64String(f["media"]!["payload"]!.GetValue<string>())[0] == 0x42);
        var result = await caller.HangUpAsync();

        var payloads = session.Received.Where(f => f["event"]!.GetValue<string>() == "media")
            .Select(f => Convert.FromBase64String(f["media"]!["payload"]!.GetValue<string>())).ToList();
        payloads.Take(2).ShouldAllBe(p => p.All(b => b == MuLaw.Silence));
        payloads.Count(p => p.All(b => b == 0x42)).ShouldBe(1);
        result.Events.Select(e => e.Name).ShouldContain("customer_answered");
    }
}
