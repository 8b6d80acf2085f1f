using System.Net.WebSockets;
using System.Text;
using Awaaz.Server.Storage;
using Awaaz.Smartflo;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Configuration;
using Dapper;

namespace Awaaz.Server.Tests.Calls;

/// <summary>The resolver (smartflo.md §9), inbound routing (§12.3) and the media socket's tolerance (§11).</summary>
public sealed class ResolverAndStreamTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private SmartfloSimulator _sim = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    private async Task<(CallScenario S, string ResolverUrl)> InboundReadyAsync()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        await (await s.Partner.Client.PostJsonAsync("/api/v2/phone-numbers/sync", new { provider = "tata_smartflo" })).ShouldBeSuccessAsync();
        var numbers = await (await s.Partner.Client.GetAsync("/api/v2/phone-numbers?limit=100", Ct)).ShouldBeSuccessAsync();
        var bot = numbers["phone_numbers"]!.AsArray().Single(n => n!.Str("phone_number") == SimulatedSmartflo.BotDid)!;
        await (await s.Partner.Client.PutJsonAsync($"/api/v2/phone-numbers/{bot.Str("id")}", new { agent_id = s.AgentId })).ShouldBeSuccessAsync();
        var connection = (await (await s.Partner.Client.GetAsync($"/api/v2/telephony/connections/{s.ConnectionId}", Ct)).ShouldBeSuccessAsync())["connection"]!;
        return (s, connection["smartflo"]!.Str("resolver_url"));
    }

    [Fact]
    public async Task Wrong_secret_gets_401_and_the_exact_decline_body()
    {
        var http = factory.CreateClient();
        var response = await http.PostAsync("/api/tata/resolve-wss?secret=sfs_wrongwrongwrongwrongwrongwrongwr",
            new StringContent("{\"callId\":\"h1.1-1.1\",\"fromNumber\":\"9800000001\",\"toNumber\":\"8071000002\",\"status\":\"answered\"}", Encoding.UTF8, "application/json"), Ct);
        ((int)response.StatusCode).ShouldBe(401);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldBe("{\"success\":false,\"wss_url\":\"wss://declined.invalid/\"}");
        var noSecret = await http.GetAsync("/api/tata/resolve-wss?callId=x", Ct);
        ((int)noSecret.StatusCode).ShouldBe(401);
    }

    [Fact]
    public async Task Unknown_number_is_declined_with_200()
    {
        var (_, resolver) = await InboundReadyAsync();
        var response = await factory.CreateClient().GetAsync($"{resolver}&callId=h1.08-1770000000.1&fromNumber=9811111111&toNumber=8099999999&status=answered", Ct);
        ((int)response.StatusCode).ShouldBe(200);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldBe("{\"success\":false,\"wss_url\":\"wss://declined.invalid/\"}");
    }

    [Fact]
    public async Task Inbound_call_to_an_assigned_did_runs_the_agent_and_completes()
    {
        var (s, resolver) = await InboundReadyAsync();
        var result = await SmartfloCaller.RunAsync(new CallerOptions
        {
            ResolverUrl = resolver, Method = ResolverMethod.Get, From = "9876543210", To = "8071000002", Direction = CallDirection.Inbound,
            Audio = CallerAudio.FromFile(VoiceBotWiring.CallerWav(speechStartSeconds: 3, totalSeconds: 6)), HangupAfter = TimeSpan.FromSeconds(6),
        }, Ct);
        result.Outcome.ShouldBe(CallerOutcome.Streamed, result.Failure);
        result.Resolver!.ResponseBody.ShouldMatch("^\\{\"success\":true,\"wss_url\":\"ws://127\\.0\\.0\\.1:\\d+/api/tata/stream/[A-Za-z0-9_-]{43}\"\\}$");
        result.Violations.ShouldBeEmpty();
        result.Bot.Media.ShouldBeGreaterThan(10);

        var calls = await (await s.Partner.Client.GetAsync("/api/v2/calls?direction=inbound", Ct)).ShouldBeSuccessAsync();
        var callId = calls["calls"]!.AsArray().Single()!.Str("call_id");
        var call = await s.WaitForAsync(callId, c => c.Str("status") == "completed");
        call.Str("from_number").ShouldBe("+919876543210");
        call.Str("to_number").ShouldBe(SimulatedSmartflo.BotDid);
        call.Str("agent_id").ShouldBe(s.AgentId);
        call["telephony"]!.Str("stream_sid").ShouldBe(result.StreamSid);
        call.Str("end_reason").ShouldBe("user_hangup");

        // The token was single use.
        var reuse = new ClientWebSocket();
        var url = System.Text.Json.JsonDocument.Parse(result.Resolver!.ResponseBody!).RootElement.GetProperty("wss_url").GetString()!;
        await Should.ThrowAsync<WebSocketException>(() => reuse.ConnectAsync(new Uri(url), Ct));
    }

    [Fact]
    public async Task A_slow_database_still_gets_an_answer_in_time_and_the_call_is_correlated_at_start()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = "+919800000051", AnswerAfterMs = 120_000 });
        var callId = (await (await s.StartAsync("+919800000051")).ShouldBeSuccessAsync(201)).Str("call_id");
        await s.WaitForAsync(callId, c => c.Str("status") == "ringing");
        var connection = (await (await s.Partner.Client.GetAsync($"/api/v2/telephony/connections/{s.ConnectionId}", Ct)).ShouldBeSuccessAsync())["connection"]!;

        // Block every write to the call tables for 1.8 s: correlation cannot bind ids, no token can be stored.
        var database = factory.Service<Database>();
        var (db, tx) = await database.BeginWriteAsync(Ct);
        if (database.Dialect == SqlDialect.Postgres)
            await db.ExecuteAsync("LOCK TABLE call_provider_ids, stream_tokens, calls IN EXCLUSIVE MODE", transaction: tx);
        else
            await db.ExecuteAsync("UPDATE calls SET updated_at = updated_at WHERE id = 'none'", transaction: tx);
        var caller = SmartfloCaller.RunAsync(new CallerOptions
        {
            ResolverUrl = connection["smartflo"]!.Str("resolver_url"), From = SimulatedSmartflo.SalesDid[3..], To = "9800000051",
            Direction = CallDirection.Outbound, HangupAfter = TimeSpan.FromSeconds(3), ConnectTimeout = TimeSpan.FromSeconds(10),
        }, Ct);
        await Task.Delay(1800, Ct);
        await tx.RollbackAsync(Ct);
        await tx.DisposeAsync();
        await db.DisposeAsync();

        var result = await caller;
        result.Resolver!.Accepted.ShouldBeTrue(result.Resolver.Problem); // within Smartflo's 2 s deadline, or the simulator would have failed it
        result.Outcome.ShouldBe(CallerOutcome.Streamed, result.Failure);
        var call = await s.WaitForAsync(callId, c => c.Str("status") == "completed");
        call["telephony"]!.Str("stream_sid").ShouldBe(result.StreamSid);
        factory.Logs.All.ShouldContain("issuing an unbound token");
    }

    [Fact]
    public async Task Malformed_frames_are_skipped_and_the_call_continues()
    {
        var (s, resolver) = await InboundReadyAsync();
        using var http = new HttpClient();
        var reply = await http.GetStringAsync($"{resolver}&callId=h9.1-1790000000.5&fromNumber=9876500000&toNumber=918071000002&status=answered", Ct);
        var url = System.Text.Json.JsonDocument.Parse(reply).RootElement.GetProperty("wss_url").GetString()!;
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(url), Ct);
        async Task Send(string text) => await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Ct);
        await Send("{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"streamSid\":\"MZabc\",\"callSid\":\"h9.1-1790000000.5\",\"from\":\"9876500000\",\"to\":\"8071000002\",\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000}},\"streamSid\":\"MZabc\",\"extra\":{\"x\":1}}");
        await Send("not json at all");
        await Send("{\"event\":\"media\",\"media\":{\"payload\":\"%%%not-base64%%%\"},\"streamSid\":\"MZabc\"}");
        await Send("{\"event\":\"surprise\",\"streamSid\":\"MZabc\"}");
        await ws.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, Ct);
        await Send("{\"event\":\"media\",\"sequenceNumber\":\"3\",\"media\":{\"chunk\":\"1\",\"timestamp\":\"100\",\"payload\":\"" + Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, 800).ToArray()) + "\"},\"streamSid\":\"MZabc\"}");

        // The agent still speaks: media arrives after the garbage.
        var buffer = new byte[65536];
        var gotMedia = false;
        for (var i = 0; i < 200 && !gotMedia; i++)
        {
            var r = await ws.ReceiveAsync(buffer, Ct);
            gotMedia = Encoding.UTF8.GetString(buffer, 0, r.Count).Contains("\"event\":\"media\"");
        }
        gotMedia.ShouldBeTrue();
        await Send("{\"event\":\"stop\",\"sequenceNumber\":\"9\",\"stop\":{\"callSid\":\"h9.1-1790000000.5\",\"reason\":\"The caller disconnected the call\"},\"streamSid\":\"MZabc\"}");
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Ct);

        var calls = await (await s.Partner.Client.GetAsync("/api/v2/calls?direction=inbound", Ct)).ShouldBeSuccessAsync();
        var call = await s.WaitForAsync(calls["calls"]!.AsArray().Single()!.Str("call_id"), c => c.Str("status") == "completed");
        call["telephony"]!.Str("provider_stop_reason").ShouldBe("The caller disconnected the call");
        factory.Logs.All.ShouldContain("skipped a malformed frame");
    }

    [Fact]
    public async Task An_unknown_token_is_refused_before_the_upgrade()
    {
        using var ws = new ClientWebSocket();
        var url = factory.BaseUrl.Replace("http://", "ws://") + "/api/tata/stream/" + new string('a', 43);
        var ex = await Should.ThrowAsync<WebSocketException>(() => ws.ConnectAsync(new Uri(url), Ct));
        ex.Message.ShouldContain("403");
    }
}
