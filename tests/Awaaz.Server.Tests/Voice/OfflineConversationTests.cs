using Awaaz.Media;
using Awaaz.Server.Tests.Voice.Offline;
using Awaaz.Server.Voice;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Server.Tests.Voice;

/// <summary>
/// A whole offline conversation with no fake in the audio path: the simulated caller speaks espeak-ng audio as
/// 8 kHz µ-law; Awaaz runs VAD + pocketsphinx (grammar from the script) + the scripted dialogue + espeak-ng; the
/// simulator records what the bot said and pocketsphinx transcribes it.
/// </summary>
public sealed class OfflineConversationTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private const string Script = """
        A delivery confirmation agent.
        ```awaaz-script
        {"steps":[
          {"id":"ask","say":"Hello. Which city should we deliver to?","capture":{"variable":"city","phrases":["mumbai","delhi","chennai"]},"next":"confirm"},
          {"id":"confirm","say":"You said {{city}}. Is that right?","intents":{"yes":["yes","correct"],"no":["no"]},"routes":{"yes":"bye","no":"ask"}},
          {"id":"bye","say":"Thank you. Goodbye.","end":true}]}
        ```
        """;

    private SmartfloSimulator _sim = null!;
    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    /// <summary>Caller audio: the given phrases spoken by espeak-ng at the given seconds, silence elsewhere (8 kHz PCM16 WAV).</summary>
    private static async Task<string> CallerAudioAsync(double totalSeconds, params (double At, string Text)[] lines)
    {
        var tts = OfflineSpeechKit.Tts();
        var pcm = new short[(int)(totalSeconds * 8000)];
        foreach (var (at, text) in lines)
        {
            var speech = OfflineSpeechKit.Decode(await OfflineSpeechKit.SpeakAsync(tts, text));
            speech.AsSpan(0, Math.Min(speech.Length, pcm.Length - (int)(at * 8000))).CopyTo(pcm.AsSpan((int)(at * 8000)));
        }
        var path = Path.Combine(Path.GetTempPath(), $"awaaz-caller-{Guid.NewGuid():N}.wav");
        await using (var file = File.Create(path))
        using (var writer = new WavWriter(file, 8000, 1))
        {
            writer.Write(pcm);
            writer.Complete();
        }
        return path;
    }

    [Fact]
    public async Task Greeting_answer_captured_confirmation_and_end_of_call()
    {
        var s = await CallScenario.CreateAsync(factory, _sim, agentExtras: new
        {
            prompt = Script, enable_recording = true,
            voicemail_detection_enabled = true, voicemail_message = "Please call us back.", // a person answers: detection must not get in the way
            pipeline = new { stt = new { provider = "pocketsphinx" }, llm = new { provider = "scripted" }, tts = new { provider = "espeak", voice = "gmw/en-US" } },
        });
        var caller = await CallerAudioAsync(30, (6.0, "mumbai"), (13.0, "yes"));
        await VoiceBotWiring.WireAsync(_sim, s, caller);
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = "+919800000081", AnswerAfterMs = 300 });

        var callId = (await (await s.StartAsync("+919800000081")).ShouldBeSuccessAsync(201)).Str("call_id");
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 90);
        ended.Str("end_reason").ShouldBe("agent_end_call", ended.ToJsonString());
        ended["variables"]!["city"]?.GetValue<string>().ShouldBe("mumbai", ended["session"]!["transcript"]!.ToJsonString());
        ended.Str("answered_by").ShouldBe("human");
        ended.Str("disposition").ShouldBe("completed");

        var transcript = ended["session"]!["transcript"]!.AsArray().Select(t => $"{t!.Str("role")}: {t.Str("content")}").ToList();
        transcript.ShouldBe([
            "bot: Hello.", "bot: Which city should we deliver to?",
            "user: mumbai",
            "bot: You said mumbai.", "bot: Is that right?",
            "user: yes",
            "bot: Thank you.", "bot: Goodbye.",
        ], string.Join("\n", transcript));
        var answered = ended["session"]!["transcript"]!.AsArray().First(t => t!.Str("content") == "You said mumbai.")!;
        answered["latency_ms"]!.GetValue<int>().ShouldBeGreaterThan(0);
        answered["latency_breakdown"]!["endpointing_ms"]!.GetValue<int>().ShouldBeGreaterThan(0);

        // What the caller actually heard, transcribed by pocketsphinx with the script's sentences as its grammar.
        await _sim.Calls.WhenStreamDoneAsync(callId);
        var heard = _sim.Calls.Stream(callId)!;
        heard.Violations.ShouldBeEmpty();
        var recognised = await TranscribeSegmentsAsync(heard.HeardAudio.ToArray(),
            ["hello", "which city should we deliver to", "you said mumbai", "is that right", "thank you", "goodbye"]);
        recognised.ShouldContain("which city should we deliver to");
        recognised.ShouldContain("you said mumbai");
        recognised.ShouldContain("goodbye");
    }

    /// <summary>Splits µ-law audio at silences and transcribes each voiced segment.</summary>
    private static async Task<List<string>> TranscribeSegmentsAsync(byte[] mulaw, string[] phrases)
    {
        var pcm = OfflineSpeechKit.Decode(mulaw);
        var stt = OfflineSpeechKit.Stt();
        var results = new List<string>();
        var start = -1;
        var quiet = 0;
        for (var i = 0; i + 160 <= pcm.Length; i += 160)
        {
            var voiced = OfflineSpeechKit.Rms(pcm.AsSpan(i, 160)) > 300;
            if (voiced) { if (start < 0) start = i; quiet = 0; }
            else if (start >= 0 && ++quiet * 160 >= 2400)
            {
                await using var session = await stt.StartAsync(new SpeechRecognitionOptions("en", Phrases: phrases), CancellationToken.None);
                var events = await OfflineSpeechKit.RecognizeAsync(session, pcm[start..i]);
                results.Add(events.Last(e => e.IsFinal).Text);
                start = -1;
            }
        }
        return results;
    }
}

/// <summary>Barge-in: the caller talks over the agent; Smartflo is told to clear, the turn is cut to what was heard, the recording stops.</summary>
public sealed class BargeInTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private const string Script = """
        ```awaaz-script
        {"steps":[
          {"id":"long","say":"Hello. Your parcel will arrive tomorrow between ten and twelve in the morning and the driver will call you from the gate before he comes up with the package.","intents":{"yes":["yes","correct"]},"routes":{"yes":"bye"}},
          {"id":"bye","say":"Thank you. Goodbye.","end":true}]}
        ```
        """;

    private SmartfloSimulator _sim = null!;
    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task Caller_speech_over_the_agent_clears_playback_and_truncates_the_turn_and_the_recording()
    {
        var s = await CallScenario.CreateAsync(factory, _sim, agentExtras: new
        {
            prompt = Script, enable_recording = true,
            pipeline = new
            {
                stt = new { provider = "pocketsphinx" }, llm = new { provider = "scripted" }, tts = new { provider = "espeak", voice = "gmw/en-US" },
                turn = new { interruption_min_speech_ms = 200, backchannel_filter = false },
            },
        });
        var tts = OfflineSpeechKit.Tts();
        var pcm = new short[8000 * 25];
        var yes = OfflineSpeechKit.Decode(await OfflineSpeechKit.SpeakAsync(tts, "correct"));
        yes.CopyTo(pcm.AsSpan(8000 * 5)); // while the long sentence (≈ 9 s) is playing
        var path = Path.Combine(Path.GetTempPath(), $"awaaz-bargein-{Guid.NewGuid():N}.wav");
        await using (var file = File.Create(path))
        using (var writer = new WavWriter(file, 8000, 1)) { writer.Write(pcm); writer.Complete(); }
        await VoiceBotWiring.WireAsync(_sim, s, path);
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = "+919800000082", AnswerAfterMs = 300 });

        var callId = (await (await s.StartAsync("+919800000082")).ShouldBeSuccessAsync(201)).Str("call_id");
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 90);
        var turns = ended["session"]!["transcript"]!.AsArray();
        var cut = turns.Single(t => t!["interrupted"]!.GetValue<bool>() && t.Str("role") == "bot")!;
        var full = "Your parcel will arrive tomorrow between ten and twelve in the morning and the driver will call you from the gate before he comes up with the package.";
        cut.Str("content").Length.ShouldBeLessThan(full.Length);
        full.ShouldStartWith(cut.Str("content"));
        turns.Select(t => t!.Str("content")).ShouldContain("correct");
        turns.Select(t => t!.Str("content")).ShouldContain("Goodbye.");

        await _sim.Calls.WhenStreamDoneAsync(callId);
        var stream = _sim.Calls.Stream(callId)!;
        stream.Violations.ShouldBeEmpty();
        var clear = stream.Clears.ShouldHaveSingleItem();
        clear.DiscardedBytes.ShouldBeGreaterThan(0);

        // The recording's agent track (right) is silent right after the clear: the unplayed rest of the sentence is not in it.
        var recording = Path.Combine(factory.Service<Server.Media.StreamServices>().RecordingsDirectory, $"{ended.Str("session_id")}.wav");
        var agent = WavReader.ReadAll(await File.ReadAllBytesAsync(recording, TestContext.Current.CancellationToken)).Channel(1);
        var clearOnStreamTimeline = clear.AtMs - stream.StartSentMs!.Value; // the caller's clock starts before the resolver; the recording's at start
        var from = (int)((clearOnStreamTimeline + 300) * 8);
        OfflineSpeechKit.Rms(agent.AsSpan(from, 8 * 300)).ShouldBeLessThan(50, $"clear at {clearOnStreamTimeline:0} ms of {agent.Length / 8} ms");
        OfflineSpeechKit.Rms(agent.AsSpan(8000 * 2, 8000)).ShouldBeGreaterThan(300); // the sentence was playing before
    }
}
