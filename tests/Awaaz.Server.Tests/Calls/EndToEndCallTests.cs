using Awaaz.Media;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Server.Tests.Calls;

/// <summary>Calls through the whole path: API → dial → simulated Smartflo answers → resolver → media WebSocket → webhooks.</summary>
public sealed class EndToEndCallTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private SmartfloSimulator _sim = null!;

    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Outbound_call_streams_the_echo_agent_and_ends_with_a_consistent_record(bool customerFirst)
    {
        var s = await CallScenario.CreateAsync(factory, _sim, customerFirst, agentExtras: new { enable_recording = true });
        await VoiceBotWiring.WireAsync(_sim, s, VoiceBotWiring.CallerWav());
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = "+919800000031", AnswerAfterMs = 300, HangupAfterMs = 7000 });

        var callId = (await (await s.StartAsync("+919800000031")).ShouldBeSuccessAsync(201)).Str("call_id");
        var live = await s.WaitForAsync(callId, c => c.Str("status") == "in_progress" || c.Str("status") == "completed", 15);
        var simView = _sim.Calls.Stream(callId);
        live.Str("status").ShouldBe("in_progress", $"sim stream: {simView?.Outcome} {simView?.Failure} resolver={simView?.Resolver}\n{string.Join("\n", factory.Logs.Lines.Where(l => l.Contains("Resolver") || l.Contains("Stream") || l.Contains("Error")).TakeLast(15))}");
        live["telephony"]!.Str("stream_sid").ShouldStartWith("MZ");

        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed" && c["telephony"]!["billsec"] is not null, 30);
        ended.Str("end_reason").ShouldBe("user_hangup");
        ended.Str("disposition").ShouldBe("user_hangup_no_speech");
        ended["telephony"]!.Str("provider_stop_reason").ShouldBe("The caller disconnected the call");
        ended["telephony"]!["billsec"]!.GetValue<int>().ShouldBeGreaterThan(0);
        ended["duration_seconds"]!.GetValue<int>().ShouldBeGreaterThan(0);
        var transcript = ended["session"]!["transcript"]!.AsArray();
        transcript[0]!.Str("role").ShouldBe("bot");
        transcript[0]!.Str("content").ShouldContain("echo test");

        await _sim.Calls.WhenStreamDoneAsync(callId);
        var stream = _sim.Calls.Stream(callId)!;
        stream.Violations.ShouldBeEmpty();
        stream.Bot.Media.ShouldBeGreaterThan(10);
        stream.Marks.Count.ShouldBeGreaterThanOrEqualTo(1);
        stream.Marks.ShouldAllBe(m => m.EchoedMs != null || m.Echo == null);

        // The recording: stereo 8 kHz, caller left and agent right, as long as the stream.
        var recording = Directory.GetFiles(factory.Service<Server.Media.StreamServices>().RecordingsDirectory, $"{ended.Str("session_id")}.wav").Single();
        var wav = WavReader.ReadAll(await File.ReadAllBytesAsync(recording, TestContext.Current.CancellationToken));
        wav.Format.Channels.ShouldBe(2);
        wav.Format.SampleRate.ShouldBe(8000);
        var agentTrack = wav.Channel(1);
        agentTrack.Any(sample => Math.Abs((int)sample) > 1000).ShouldBeTrue();
        var callerTrack = wav.Channel(0);
        callerTrack.Any(sample => Math.Abs((int)sample) > 5000).ShouldBeTrue();
    }
}
