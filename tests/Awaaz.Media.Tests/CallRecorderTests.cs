using Awaaz.Media.Tests.Support;

namespace Awaaz.Media.Tests;

public sealed class CallRecorderTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static byte[] Tone(double frequency, int bytes, double phase = 0)
    {
        var pcm = Signals.Sine(frequency, 8000, bytes, 8000, phase);
        var codes = new byte[bytes];
        MuLaw.Encode(pcm, codes);
        return codes;
    }

    private static short[] Decoded(ReadOnlySpan<byte> codes)
    {
        var pcm = new short[codes.Length];
        MuLaw.Decode(codes, pcm);
        return pcm;
    }

    private static (short[] Caller, short[] Agent) Finish(CallRecorder recorder, MemoryStream file, TimeSpan end)
    {
        recorder.Complete(end);
        var audio = WavReader.ReadAll(file.ToArray());
        audio.Format.ShouldBe(new WavFormat(WavEncoding.Pcm16, 2, 8000));
        return (audio.Channel(0), audio.Channel(1));
    }

    private static void ShouldBeSilent(short[] track, int from, int to) =>
        track[from..to].ShouldAllBe(s => s == 0, $"samples {from}–{to} should be silent");

    [Fact]
    public void Caller_and_agent_tones_land_at_their_timestamps_and_playout_times()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        var caller = Tone(1000, 8000);
        for (var chunk = 0; chunk < 10; chunk++)
            recorder.AppendCaller(caller.AsSpan(chunk * 800, 800), chunk * 100, Ms(chunk * 100 + 100 + chunk % 3 * 7));
        var agent = Tone(500, 3200);
        recorder.AppendAgent(agent, Ms(1300));

        var (left, right) = Finish(recorder, file, Ms(2000));
        left.Length.ShouldBe(16000);
        left[..8000].ShouldBe(Decoded(caller));
        ShouldBeSilent(left, 8000, 16000);
        ShouldBeSilent(right, 0, 10400);
        right[10400..13600].ShouldBe(Decoded(agent));
        ShouldBeSilent(right, 13600, 16000);
        recorder.TimestampResyncs.ShouldBe(0);
        recorder.DroppedCallerBytes.ShouldBe(0);
    }

    [Fact]
    public void Gaps_over_60_ms_become_silence_and_smaller_ones_are_closed()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        var audio = Tone(700, 4000);
        // 100 ms chunks; timestamps jitter by a few ms, then a 200 ms gap, then exactly 60 ms, then 61 ms.
        (int Ts, int Offset)[] chunks = [(0, 0), (105, 800), (195, 1600), (500, 2400), (660, 3200)];
        foreach (var (ts, offset) in chunks) recorder.AppendCaller(audio.AsSpan(offset, 800), ts, Ms(ts + 110));
        recorder.AppendCaller(audio.AsSpan(0, 800), 821, Ms(930));

        var (left, _) = Finish(recorder, file, Ms(1000));
        left[..2400].ShouldBe(Decoded(audio.AsSpan(0, 2400)));      // 0, 105, 195 joined end to end
        ShouldBeSilent(left, 2400, 4000);                           // 300–500 ms
        left[4000..4800].ShouldBe(Decoded(audio.AsSpan(2400, 800)));
        left[4800..5600].ShouldBe(Decoded(audio.AsSpan(3200, 800))); // 60 ms gap closed: at 600 ms, not 660
        ShouldBeSilent(left, 5600, 6568);                           // 700 → 821 ms: 121 ms kept
        left[6568..7368].ShouldBe(Decoded(audio.AsSpan(0, 800)));
    }

    [Fact]
    public void Reordered_and_repeated_chunks_go_back_to_their_place()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        var audio = Tone(900, 3200);
        foreach (var ts in new[] { 0, 200, 100, 200, 300 })
            recorder.AppendCaller(audio.AsSpan(ts * 8, 800), ts, Ms(ts + 150));
        var (left, _) = Finish(recorder, file, Ms(400));
        left.ShouldBe(Decoded(audio));
    }

    [Fact]
    public void Without_a_timestamp_a_chunk_ends_at_its_arrival()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        var audio = Tone(1200, 800);
        recorder.AppendCaller(audio, timestampMs: null, arrival: Ms(500));
        var (left, _) = Finish(recorder, file, Ms(600));
        ShouldBeSilent(left, 0, 3200);
        left[3200..4000].ShouldBe(Decoded(audio));
        ShouldBeSilent(left, 4000, 4800);
    }

    [Fact]
    public void Timestamps_on_another_base_are_re_anchored_on_arrival()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        var audio = Tone(400, 1600);
        const long epochMs = 1_776_875_353_000;
        recorder.AppendCaller(audio.AsSpan(0, 800), epochMs, Ms(300));
        recorder.AppendCaller(audio.AsSpan(800, 800), epochMs + 100, Ms(400));
        var (left, _) = Finish(recorder, file, Ms(500));
        recorder.TimestampResyncs.ShouldBe(1);
        ShouldBeSilent(left, 0, 1600);
        left[1600..3200].ShouldBe(Decoded(audio));
        left.Length.ShouldBe(4000);
    }

    [Fact]
    public void Negative_and_absurd_timestamps_fall_back_to_arrival()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        var audio = Tone(400, 2400);
        recorder.AppendCaller(audio.AsSpan(0, 800), -5, Ms(100));
        recorder.AppendCaller(audio.AsSpan(800, 800), long.MaxValue, Ms(200));
        recorder.AppendCaller(audio.AsSpan(1600, 800), long.MinValue, Ms(300));
        var (left, _) = Finish(recorder, file, Ms(300));
        left.ShouldBe(Decoded(audio));
    }

    [Fact]
    public void A_clear_cuts_the_agent_track_at_the_playout_position_so_only_heard_audio_remains()
    {
        var time = new ManualClock();
        var clock = new PlayoutClock(time);
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        var framer = new OutboundFramer(time);
        var frame = new byte[800];

        // The agent's first turn: 1 s of audio, paced out with a 600 ms lead.
        var turn1 = Tone(500, 8000);
        framer.Append(turn1);
        framer.CompleteUtterance();
        void Pump()
        {
            while (clock.DelayBeforeSending(800) == TimeSpan.Zero && framer.TryTakeFrame(frame, out var f))
                if (f.HasAudio) recorder.AppendAgent(frame.AsSpan(0, f.Length), clock.Sent(f.Length));
        }
        var callerChunk = Tone(1500, 800);
        for (var t = 0; t < 250; t += 10)
        {
            Pump();
            if (t % 100 == 0) recorder.AppendCaller(callerChunk, t, clock.Now + Ms(100));
            time.AdvanceMs(10);
        }
        clock.SentBytes.ShouldBe(6400); // 800 ms sent by 240 ms

        // Barge-in at 250 ms.
        time.AdvanceMs(0);
        clock.Clear().ShouldBe(2000);
        recorder.TruncateAgent(clock.Now);
        framer.Clear();

        // The next turn starts at 400 ms.
        time.AdvanceMs(150);
        var turn2 = Tone(300, 800);
        recorder.AppendAgent(turn2, clock.Sent(800));

        var (_, right) = Finish(recorder, file, Ms(1000));
        right[..2000].ShouldBe(Decoded(turn1.AsSpan(0, 2000)));
        ShouldBeSilent(right, 2000, 3200);
        right[3200..4000].ShouldBe(Decoded(turn2));
        ShouldBeSilent(right, 4000, 8000);
    }

    [Fact]
    public void Completing_at_stop_removes_agent_audio_that_was_still_queued()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        var agent = Tone(500, 4800);
        for (var i = 0; i < 6; i++) recorder.AppendAgent(agent.AsSpan(i * 800, 800), Ms(i * 100));
        var (left, right) = Finish(recorder, file, Ms(300));
        right.ShouldBe(Decoded(agent.AsSpan(0, 2400)));
        left.Length.ShouldBe(2400);
        ShouldBeSilent(left, 0, 2400);
    }

    [Fact]
    public void The_file_is_written_as_the_call_goes_and_stays_bounded_in_memory()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        var chunk = Tone(1000, 800);
        for (var i = 0; i < 1200; i++) // two minutes
        {
            recorder.AppendCaller(chunk, i * 100, Ms(i * 100 + 100));
            recorder.AppendAgent(chunk, Ms(i * 100 + 600));
            var expectedWritten = Ms(i * 100 + 100) - CallRecorder.DefaultHoldback;
            if (expectedWritten > TimeSpan.Zero) recorder.Written.ShouldBe(expectedWritten);
        }
        file.Length.ShouldBe(44 + 119L * 8000 * 4); // last arrival 120 s, minus the 1 s holdback
        var (left, right) = Finish(recorder, file, Ms(120_000));
        left.Length.ShouldBe(960_000); // agent audio scheduled for 120.0–120.5 s was never played: cut at stop
        ShouldBeSilent(right, 0, 4800);
        right[^800..].ShouldBe(Decoded(chunk));
        left[^800..].ShouldBe(Decoded(chunk));
    }

    [Fact]
    public void Silence_after_the_window_has_wrapped_is_real_silence()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        var speech = Tone(1000, 24_000);
        for (var i = 0; i < 30; i++) recorder.AppendCaller(speech.AsSpan(i * 800, 800), i * 100, Ms(i * 100 + 100));
        for (var i = 0; i < 30; i++) recorder.AppendAgent(speech.AsSpan(i * 800, 800), Ms(3000 + i * 100));
        // The caller is silent for 4 s (no media), then speaks again; the agent's 3 s sit in between.
        recorder.AppendCaller(speech.AsSpan(0, 800), 7000, Ms(7100));
        var (left, right) = Finish(recorder, file, Ms(7100));
        left[..24_000].ShouldBe(Decoded(speech));
        ShouldBeSilent(left, 24_000, 56_000);
        left[56_000..].ShouldBe(Decoded(speech.AsSpan(0, 800)));
        ShouldBeSilent(right, 0, 24_000);
        right[24_000..48_000].ShouldBe(Decoded(speech));
        ShouldBeSilent(right, 48_000, 56_800);
    }

    [Fact]
    public void One_message_longer_than_the_window_is_kept_whole()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        var audio = Tone(650, 48_000); // 6 s in one message, the 64 KiB frame limit's worth
        recorder.AppendCaller(audio, 0, Ms(6000));
        var (left, _) = Finish(recorder, file, Ms(6000));
        left.ShouldBe(Decoded(audio));
        recorder.DroppedCallerBytes.ShouldBe(0);
    }

    [Fact]
    public void Audio_for_an_already_written_stretch_is_dropped_and_counted()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        recorder.AppendCaller(Tone(500, 800), 2900, Ms(3000));
        recorder.Written.ShouldBe(Ms(2000));
        recorder.AppendAgent(Tone(500, 800), Ms(1950));
        recorder.DroppedAgentBytes.ShouldBe(400);
        var (_, right) = Finish(recorder, file, Ms(3000));
        right[16000..16400].ShouldBe(Decoded(Tone(500, 800).AsSpan(400)));
    }

    [Fact]
    public void Complete_is_idempotent_and_later_input_is_ignored()
    {
        var file = new MemoryStream();
        var recorder = new CallRecorder(file, leaveOpen: true);
        recorder.AppendCaller(Tone(500, 800), 0, Ms(100));
        recorder.Complete(Ms(100));
        var once = file.ToArray();
        recorder.Complete(Ms(5000));
        recorder.AppendCaller(Tone(500, 800), 100, Ms(200));
        recorder.AppendAgent(Tone(500, 160), Ms(100));
        recorder.TruncateAgent(Ms(0));
        recorder.Dispose();
        file.ToArray().ShouldBe(once);
        recorder.DroppedCallerBytes.ShouldBe(800);
        recorder.DroppedAgentBytes.ShouldBe(160);
        using var reader = WavReader.Open(new MemoryStream(once));
        reader.DataLength.ShouldBe(800 * 4);
    }

    [Fact]
    public void Dispose_without_complete_writes_everything_received()
    {
        var file = new MemoryStream();
        using (var recorder = new CallRecorder(file, leaveOpen: true))
        {
            recorder.AppendCaller(Tone(500, 800), 0, Ms(100));
            recorder.AppendAgent(Tone(800, 800), Ms(50));
        }
        var audio = WavReader.ReadAll(file.ToArray());
        audio.Frames.ShouldBe(1200);
        audio.Channel(1)[400..1200].ShouldBe(Decoded(Tone(800, 800)));
    }

    [Fact]
    public void Records_to_a_file_on_disk()
    {
        var path = Path.Combine(Path.GetTempPath(), $"awaaz-recorder-{Guid.NewGuid():N}.wav");
        try
        {
            var recorder = CallRecorder.Create(path);
            recorder.AppendCaller(Tone(500, 1600), 0, Ms(200));
            recorder.Complete(Ms(200));
            recorder.Complete(Ms(200));
            using var stream = File.OpenRead(path);
            var audio = WavReader.ReadAll(stream);
            audio.Frames.ShouldBe(1600);
            audio.Channel(0).ShouldBe(Decoded(Tone(500, 1600)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Rejects_windows_that_cannot_work()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new CallRecorder(new MemoryStream(), holdback: Ms(10)));
        Should.Throw<ArgumentOutOfRangeException>(() => new CallRecorder(new MemoryStream(), lookahead: Ms(0)));
        Should.Throw<ArgumentOutOfRangeException>(() => new CallRecorder(new MemoryStream(), lookahead: TimeSpan.FromMinutes(2)));
    }
}
