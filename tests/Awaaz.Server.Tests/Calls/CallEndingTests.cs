using Awaaz.Server.Storage;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Rest;
using Dapper;

namespace Awaaz.Server.Tests.Calls;

/// <summary>Calls always end: the hard deadline, the ring watchdog, and a caller who hangs up mid-utterance.</summary>
public sealed class CallEndingTests : IClassFixture<CallEndingTests.FastWatchdogFactory>, IAsyncLifetime
{
    public sealed class FastWatchdogFactory : AwaazFactory
    {
        public FastWatchdogFactory()
        {
            With("Awaaz:Watchdog:ScanInterval", "00:00:00.500");
            With("Awaaz:Watchdog:RingGrace", "00:00:01");
            With("Awaaz:Watchdog:OrphanAfter", "00:00:03");
        }
    }

    private readonly FastWatchdogFactory _factory;
    private SmartfloSimulator _sim = null!;

    public CallEndingTests(FastWatchdogFactory factory) => _factory = factory;
    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    private async Task SetAsync(string callId, string column, int value)
    {
        await using var db = await _factory.Service<Database>().OpenAsync();
        await db.ExecuteAsync($"UPDATE calls SET {column} = @value WHERE id = @callId", new { value, callId });
    }

    [Fact]
    public async Task A_call_the_far_end_never_hangs_up_is_ended_at_its_cap()
    {
        var s = await CallScenario.CreateAsync(_factory, _sim);
        await VoiceBotWiring.WireAsync(_sim, s);
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = "+919800000041", AnswerAfterMs = 1500, HangupAfterMs = null });
        var callId = (await (await s.StartAsync("+919800000041")).ShouldBeSuccessAsync(201)).Str("call_id");
        await SetAsync(callId, "max_duration_secs", 3); // the API's minimum is 60 s; the test shortens this call's cap

        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 30);
        ended.Str("end_reason").ShouldBe("max_duration");
        ended["duration_seconds"]!.GetValue<int>().ShouldBeInRange(3, 20);
        _sim.Requests.Count(SmartfloRoute.Hangup).ShouldBeGreaterThanOrEqualTo(1);
        await _sim.Calls.WhenStreamDoneAsync(callId);
        _sim.Calls.Get(callId).State.ToString().ShouldBe("Ended");
    }

    [Fact]
    public async Task A_call_that_rings_forever_is_reconciled_to_no_answer_and_hung_up()
    {
        var s = await CallScenario.CreateAsync(_factory, _sim);
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = "+919800000042", AnswerAfterMs = 600_000 });
        var callId = (await (await s.StartAsync("+919800000042")).ShouldBeSuccessAsync(201)).Str("call_id");
        await s.WaitForAsync(callId, c => c.Str("status") == "ringing");
        await SetAsync(callId, "ring_timeout_secs", 1);

        var ended = await s.WaitForAsync(callId, c => c.Str("status") != "ringing", 30);
        ended.Str("status").ShouldBe("no_answer");
        ended.Str("error_message").ShouldBe("No call outcome received from provider");
        _sim.Requests.Count(SmartfloRoute.LiveCalls).ShouldBeGreaterThanOrEqualTo(1);
        _sim.Requests.Count(SmartfloRoute.Hangup).ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task A_caller_who_hangs_up_mid_greeting_ends_the_call_cleanly()
    {
        var s = await CallScenario.CreateAsync(_factory, _sim);
        await VoiceBotWiring.WireAsync(_sim, s);
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = "+919800000043", AnswerAfterMs = 200, HangupAfterMs = 1200 });
        var callId = (await (await s.StartAsync("+919800000043")).ShouldBeSuccessAsync(201)).Str("call_id");
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed" && c["telephony"]!["billsec"] is not null, 30);
        ended.Str("end_reason").ShouldBe("user_hangup");
        var greeting = ended["session"]!["transcript"]!.AsArray().Single(t => t!.Str("role") == "bot")!;
        greeting["interrupted"]!.GetValue<bool>().ShouldBeTrue(); // the caller left before it finished
        await _sim.Calls.WhenStreamDoneAsync(callId);
        _sim.Calls.Stream(callId)!.Violations.ShouldBeEmpty();
    }

    [Fact]
    public async Task Calls_of_a_crashed_node_are_reconciled_by_another_node()
    {
        var s = await CallScenario.CreateAsync(_factory, _sim);
        var workDir = Directory.CreateTempSubdirectory("awaaz-node-a-").FullName;
        await using var nodeA = AwaazProcess.Start(workDir, new Dictionary<string, string?>
        {
            ["ConnectionStrings__Awaaz"] = _factory.Database.ConnectionString,
            ["Awaaz__CreateDefaultPartner"] = "false",
            ["AWAAZ_ALLOW_INSECURE_PROVIDER_URLS"] = "true",
            ["Awaaz__Watchdog__ScanInterval"] = "00:00:00.500",
        });
        await nodeA.WaitUntilReadyAsync();

        // Smartflo's VOICE Bot points at node A; the call is placed and streamed there.
        var connection = (await (await s.Partner.Client.GetAsync($"/api/v2/telephony/connections/{s.ConnectionId}")).ShouldBeSuccessAsync())["connection"]!;
        var resolver = connection["smartflo"]!.Str("resolver_url").Replace(_factory.BaseUrl, nodeA.BaseUrl.ToString().TrimEnd('/'));
        _sim.Accounts.Change(SimulatedSmartflo.AccountId, a => a.VoiceBot = new VoiceBotConfig { ResolverUrl = resolver });
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = "+919800000044", AnswerAfterMs = 300, HangupAfterMs = null });
        using var viaA = new HttpClient { BaseAddress = nodeA.BaseUrl };
        viaA.DefaultRequestHeaders.Authorization = new("Bearer", s.Partner.ApiKey);
        var callId = (await (await viaA.PostJsonAsync("/api/v2/calls/start", new { agent_id = s.AgentId, to_number = "+919800000044" })).ShouldBeSuccessAsync(201)).Str("call_id");
        var live = await s.WaitForAsync(callId, c => c.Str("status") == "in_progress", 20);
        live["telephony"]!.Str("stream_sid").ShouldNotBeNull();
        await Task.Delay(1500); // let node A record a heartbeat for its live session

        await nodeA.DisposeAsync(); // kill -9: no graceful shutdown, the session just vanishes

        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 40);
        ended.Str("end_reason").ShouldBe("stream_lost");
        _sim.Calls.Get(callId).State.ToString().ShouldBe("Ended");
    }
}
