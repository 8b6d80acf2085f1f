using System.Text.Json.Nodes;
using Awaaz.Media;
using Awaaz.Server.Tests.Voice.Cloud;
using Awaaz.Server.Tests.Voice.Offline;
using Awaaz.Server.Voice;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Server.Tests.Voice;

/// <summary>An Awaaz server whose cloud providers are the in-process vendor fakes (keys and <c>*_BASE_URL</c> in its configuration).</summary>
public sealed class FakeVendorsServer : AwaazFactory
{
    private readonly List<IAsyncDisposable> _fakes = [];
    public Dictionary<string, ProviderOnCall> Providers { get; } = [];

    public override async ValueTask InitializeAsync()
    {
        var deepgram = await FakeDeepgram.StartAsync();
        var (sarvamStt, sarvamTts) = await FakeSarvam.StartBothAsync();
        var openAi = await FakeOpenAi.StartAsync();
        var elevenLabs = await FakeElevenLabs.StartAsync();
        var cartesia = await FakeCartesia.StartAsync();
        _fakes.AddRange([deepgram, sarvamStt, sarvamTts, openAi, elevenLabs, cartesia]);
        foreach (var provider in new ProviderOnCall[]
                 {
                     new DeepgramOnCall(deepgram), new SarvamSttOnCall(sarvamStt, sarvamTts), new OpenAiOnCall(openAi),
                     new ElevenLabsOnCall(elevenLabs), new CartesiaOnCall(cartesia), new SarvamTtsOnCall(sarvamTts),
                 })
        {
            Providers[provider.ToString()] = provider;
            foreach (var (key, value) in provider.ServerSettings) With(key, value);
        }
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var fake in _fakes) await fake.DisposeAsync();
    }
}

/// <summary>
/// Every cloud provider on a real simulated call (API → dial → simulated Smartflo → media WebSocket → the voice runtime
/// → the vendor fake), the other two providers offline: the happy path, a revoked key, a stream dropped mid-way and a
/// slow first byte. The caller presses a key (LLM, TTS) or speaks (STT; the fake vendor transcribes it).
/// </summary>
public sealed class ProviderFailureCallTests(FakeVendorsServer server) : IClassFixture<FakeVendorsServer>, IAsyncLifetime
{
    private const string Apology = "Sorry, I am having technical trouble and have to end this call. Please try again later.";
    private static int _calls;
    private SmartfloSimulator _sim = null!;

    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    public static TheoryData<string> Providers => ["deepgram STT", "sarvam STT", "openai LLM", "elevenlabs TTS", "cartesia TTS", "sarvam TTS"];

    [Theory, MemberData(nameof(Providers))]
    public async Task Happy_path_answers_the_caller(string provider)
    {
        var (call, _) = await RunCallAsync(server.Providers[provider], Trouble.None);
        call.Str("end_reason").ShouldNotBe("failed", call.ToJsonString());
        call["error_message"].ShouldBeNull();
        ReplyTurn(call, server.Providers[provider])["latency_ms"]!.GetValue<int>().ShouldBeGreaterThan(0);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Revoked_key_records_a_clear_error_apologises_and_ends_the_call(string provider)
    {
        var p = server.Providers[provider];
        var (call, stream) = await RunCallAsync(p, Trouble.KeyRevoked);
        var error = $"{p.Name} {p.Role}: authentication failed (HTTP {p.RefusedStatus})";
        (call.Str("status"), call.Str("end_reason"), call.Str("error_message")).ShouldBe(("completed", "failed", error), call.ToJsonString());
        call.Str("disposition").ShouldBe("completed");

        // The apology was played to its end (its mark came back), by espeak-ng when the TTS itself failed.
        var apology = call["session"]!["transcript"]!.AsArray().Last(t => t!.Str("role") == "bot")!;
        (apology.Str("content"), apology["interrupted"]!.GetValue<bool>()).ShouldBe((Apology, false), call.ToJsonString());
        Voiced(stream.HeardAudio.ToArray()).ShouldBeTrue("the caller heard no speech");

        call.ToJsonString().ShouldNotContain(p.Key);
        server.Logs.All.ShouldNotContain(p.Key);
        server.Logs.Lines.Count(l => l.StartsWith("Error") && l.Contains(error) && l.Contains(call.Str("call_id"))).ShouldBe(1);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Stream_dropped_mid_way_still_completes_the_turn(string provider)
    {
        var p = server.Providers[provider];
        var (call, _) = await RunCallAsync(p, Trouble.DropMidStream);
        call["error_message"].ShouldBeNull(call.ToJsonString());
        ReplyTurn(call, p)["interrupted"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Slow_first_byte_completes_the_turn_and_shows_in_the_latency_breakdown(string provider)
    {
        var p = server.Providers[provider];
        var (call, _) = await RunCallAsync(p, Trouble.SlowFirstByte);
        call["error_message"].ShouldBeNull(call.ToJsonString());
        var reply = ReplyTurn(call, p);
        // A lower bound only (timers may fire a millisecond early against the stopwatch): the wait is in the right place.
        var slow = (int)ProviderOnCall.SlowFirstByte.TotalMilliseconds - 20;
        reply["latency_breakdown"]![p.LatencyField]!.GetValue<int>().ShouldBeGreaterThanOrEqualTo(slow, reply.ToJsonString());
        reply["latency_ms"]!.GetValue<int>().ShouldBeGreaterThanOrEqualTo(slow);
    }

    [Theory]
    [InlineData("deepgram STT", "deepgram STT: stream interrupted: the stream dropped and 4 reconnects failed")]
    [InlineData("sarvam STT", "sarvam STT: authentication failed (close 4001)")]
    public async Task Recognizer_that_dies_mid_call_does_not_leave_the_caller_in_silence(string provider, string error)
    {
        var (call, stream) = await RunCallAsync(server.Providers[provider], Trouble.DiesMidCall);
        (call.Str("end_reason"), call.Str("error_message")).ShouldBe(("failed", error), call.ToJsonString());
        var apology = call["session"]!["transcript"]!.AsArray().Last(t => t!.Str("role") == "bot")!;
        (apology.Str("content"), apology["interrupted"]!.GetValue<bool>()).ShouldBe((Apology, false), call.ToJsonString());
        stream.EndReason.ShouldBe(Smartflo.Simulator.Caller.StreamEndReason.CallEnded); // Awaaz hung up, not the caller
    }

    [Fact]
    public async Task Llm_stream_dropped_after_a_spoken_sentence_apologises_and_the_call_goes_on()
    {
        var p = server.Providers["openai LLM"];
        var (call, _) = await RunCallAsync(p, Trouble.DropAfterHeardSentence);
        (call.Str("end_reason"), call["error_message"]?.GetValue<string>()).ShouldBe(("user_hangup", null), call.ToJsonString());
        var bot = call["session"]!["transcript"]!.AsArray().Where(t => t!.Str("role") == "bot").Select(t => t!.Str("content")).ToList();
        bot.ShouldBe(["Press a key.", "You pressed one.", "Sorry, I had a connection problem. Could you say that again?"]);
    }

    /// <summary>The bot turn answering the caller: whole, and measured.</summary>
    private static JsonNode ReplyTurn(JsonNode call, ProviderOnCall p)
    {
        var transcript = call["session"]!["transcript"]!.AsArray();
        transcript.Select(t => t!.Str("role")).ShouldContain("user", transcript.ToJsonString());
        return transcript.FirstOrDefault(t => t!.Str("role") == "bot" && t.Str("content") == p.Reply)
            ?? throw new ShouldAssertException($"no bot turn \"{p.Reply}\" in {transcript.ToJsonString()}");
    }

    /// <summary>One call with <paramref name="trouble"/> scripted for the provider's use that answers the caller.</summary>
    private async Task<(JsonNode Call, Smartflo.Simulator.Caller.CallerResult Stream)> RunCallAsync(ProviderOnCall p, Trouble trouble)
    {
        var s = await CallScenario.CreateAsync(server, _sim, agentExtras: p.Agent);
        await VoiceBotWiring.WireAsync(_sim, s, p.CallerSpeaks ? await CallerSaysMumbaiAsync() : null);
        var number = $"+9198000{Interlocked.Increment(ref _calls) + 40000:D5}";
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = number, AnswerAfterMs = 300, HangupAfterMs = 60_000 });
        p.RevokeKey(trouble == Trouble.KeyRevoked);
        try
        {
            var troubled = Task.CompletedTask;
            if (p.CallerSpeaks && trouble != Trouble.KeyRevoked) troubled = p.Script(trouble); // the recognizer connects when the call starts
            var callId = (await (await s.StartAsync(number)).ShouldBeSuccessAsync(201)).Str("call_id");
            if (!p.CallerSpeaks && (trouble != Trouble.KeyRevoked || p.Role == PipelineFailure.Llm))
            {
                await WaitForAsync(() => EchoedMarks(callId) >= 1, $"the greeting of call {callId}");
                if (trouble != Trouble.KeyRevoked) troubled = p.Script(trouble);
                await _sim.Calls.SendDtmfAsync(callId, "1", TestContext.Current.CancellationToken);
                if (!p.AgentEndsCall && trouble != Trouble.KeyRevoked)
                {
                    var utterances = trouble == Trouble.DropAfterHeardSentence ? 3 : 2; // greeting, reply (, apology)
                    await WaitForAsync(() => EchoedMarks(callId) >= utterances, $"the reply on call {callId}");
                    await _sim.Calls.CallerHangupAsync(callId, TestContext.Current.CancellationToken);
                }
            }
            var call = await s.WaitForAsync(callId, c => c.Str("status") == "completed" && c["end_reason"] is not null, 60);
            troubled.IsCompletedSuccessfully.ShouldBeTrue($"the vendor never saw the scripted {trouble}");
            await _sim.Calls.WhenStreamDoneAsync(callId);
            var stream = _sim.Calls.Stream(callId)!;
            stream.Violations.ShouldBeEmpty();
            return (call, stream);
        }
        finally
        {
            p.Reset();
        }
    }

    /// <summary>Some 20 ms of the µ-law audio is at speech level.</summary>
    private static bool Voiced(byte[] mulaw)
    {
        var pcm = OfflineSpeechKit.Decode(mulaw);
        for (var i = 0; i + 160 <= pcm.Length; i += 160)
            if (OfflineSpeechKit.Rms(pcm.AsSpan(i, 160)) > 300) return true;
        return false;
    }

    private int EchoedMarks(string callId) => _sim.Calls.Stream(callId)?.Marks.Count(m => m.EchoedMs is not null) ?? 0;

    private static async Task WaitForAsync(Func<bool> done, string what)
    {
        for (var i = 0; i < 300; i++)
        {
            if (done()) return;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"waited 30 s for {what}");
    }

    private static string? _callerAudio;

    /// <summary>20 s of caller audio: espeak-ng saying "mumbai" at 6 s (after the greeting), silence elsewhere (8 kHz PCM16 WAV).</summary>
    private static async Task<string> CallerSaysMumbaiAsync()
    {
        if (_callerAudio is { } cached) return cached;
        var pcm = new short[20 * 8000];
        var speech = OfflineSpeechKit.Decode(await OfflineSpeechKit.SpeakAsync(OfflineSpeechKit.Tts(), "mumbai"));
        speech.CopyTo(pcm.AsSpan(6 * 8000));
        var path = Path.Combine(Path.GetTempPath(), $"awaaz-caller-mumbai-{Guid.NewGuid():N}.wav");
        await using (var file = File.Create(path))
        using (var writer = new WavWriter(file, 8000, 1))
        {
            writer.Write(pcm);
            writer.Complete();
        }
        return _callerAudio = path;
    }
}
