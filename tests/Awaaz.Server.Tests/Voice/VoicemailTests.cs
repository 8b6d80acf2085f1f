using Awaaz.Media;
using Awaaz.Server.Tests.Voice.Offline;
using Awaaz.Server.Tests.Voice.Vad;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Server.Tests.Voice;

/// <summary>
/// Voicemail detection on a real call (partner-api.md §9.11): the callee is an answering machine playing an espeak-ng
/// greeting and a beep; the agent stops greeting it, leaves its message after the beep and hangs up.
/// </summary>
public sealed class VoicemailTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private const string Script = """
        ```awaaz-script
        {"steps":[{"id":"hi","say":"Hello, this is Acme deliveries. Am I speaking with {{callee_name}}?","intents":{"yes":["yes"]},"routes":{"yes":"bye"}},
                  {"id":"bye","say":"Goodbye.","end":true}]}
        ```
        """;

    private SmartfloSimulator _sim = null!;
    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task A_machine_gets_the_voicemail_message_after_its_beep_and_the_call_ends_as_voicemail()
    {
        var s = await CallScenario.CreateAsync(factory, _sim, agentExtras: new
        {
            prompt = Script, enable_recording = true, voicemail_detection_enabled = true,
            voicemail_message = "Hi {{callee_name}}, this is Acme about your delivery. Please call us back.",
            pipeline = new { stt = new { provider = "pocketsphinx" }, llm = new { provider = "scripted" }, tts = new { provider = "espeak", voice = "gmw/en-US" } },
        });
        var greeting = TestAudio.Speech("Hi, you have reached Asha Verma. I am not able to take your call right now. Please leave your name and number after the tone.");
        var beepStart = 0.5 + greeting.Length / 8000.0 + 0.4;
        var caller = TestAudio.Concat(TestAudio.Silence(0.5), greeting, TestAudio.Silence(0.4), TestAudio.Tone(0.5, 1000, -10), TestAudio.Silence(20));
        var path = Path.Combine(Path.GetTempPath(), $"awaaz-voicemail-{Guid.NewGuid():N}.wav");
        await using (var file = File.Create(path))
        using (var writer = new WavWriter(file, 8000, 1)) { writer.Write(caller); writer.Complete(); }
        await VoiceBotWiring.WireAsync(_sim, s, path);
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = "+919800000093", AnswerAfterMs = 300 });

        var callId = (await (await s.StartAsync("+919800000093")).ShouldBeSuccessAsync(201)).Str("call_id");
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 60);
        ended.Str("end_reason").ShouldBe("voicemail", ended.ToJsonString());
        ended.Str("disposition").ShouldBe("voicemail");
        ended.Str("answered_by").ShouldBe("machine");
        var bot = ended["session"]!["transcript"]!.AsArray().Where(t => t!.Str("role") == "bot").ToList();
        var message = bot[^1]!;
        message.Str("content").ShouldBe("Hi Asha, this is Acme about your delivery. Please call us back.");
        message["interrupted"]!.GetValue<bool>().ShouldBeFalse();
        bot.Take(bot.Count - 1).ShouldAllBe(t => t!.Str("content") != "Am I speaking with Asha?" || t["interrupted"]!.GetValue<bool>(),
            "the greeting to the machine is cut, not played to the end");

        // On the recording's agent track (same timeline as the caller's audio): quiet before the beep ends, the message after it.
        await _sim.Calls.WhenStreamDoneAsync(callId);
        _sim.Calls.Stream(callId)!.Violations.ShouldBeEmpty();
        var recording = Path.Combine(factory.Service<Server.Media.StreamServices>().RecordingsDirectory, $"{ended.Str("session_id")}.wav");
        var agent = WavReader.ReadAll(await File.ReadAllBytesAsync(recording, TestContext.Current.CancellationToken)).Channel(1);
        var beepEnd = (int)((beepStart + 0.5) * 8000);
        OfflineSpeechKit.Rms(agent.AsSpan(beepEnd - 8000, 8000)).ShouldBeLessThan(50, "nothing is said over the end of the greeting and the beep");
        OfflineSpeechKit.Rms(agent.AsSpan(beepEnd, Math.Min(8000 * 4, agent.Length - beepEnd))).ShouldBeGreaterThan(300, "the message follows the beep");
    }
}
