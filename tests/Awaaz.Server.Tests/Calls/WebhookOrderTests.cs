using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Server.Tests.Calls;

/// <summary>
/// Over HTTP and a real socket: the answered webhook, the hangup webhook (twice) and the socket stop, delivered in
/// every order, leave the same call record (smartflo.md §10.7).
/// </summary>
public sealed class WebhookOrderTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private SmartfloSimulator _sim = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    private static string Answered(string callId, string refId, string customer, string smartfloId) => $$"""
        {"uuid":"u{{smartfloId[7..17]}}","call_to_number":"{{customer}}","caller_id_number":"{{SimulatedSmartflo.SalesDid}}","start_stamp":"2026-02-08 12:07:18",
         "answer_agent_number":"{{customer}}","call_id":"{{smartfloId}}","call_status":"queued","direction":"click_to_call",
         "customer_no_with_prefix ":"{{customer}}","ref_id":"{{refId}}","custom_identifier":"{{callId}}","status":"Answered by agent"}
        """;

    private static string Hangup(string callId, string refId, string customer, string smartfloId) => $$"""
        {"uuid":"u{{smartfloId[7..17]}}","call_to_number":"{{customer}}","caller_id_number":"8069000001","start_stamp":"2026-02-08 12:07:18","answer_stamp":"",
         "end_stamp":"2026-02-08 12:07:31","billsec":"12","direction":"clicktocall","duration":"13","recording_url":"$recording_name",
         "hangup_cause":"NORMAL_CLEARING","hangup_cause_code":"16","hangup_cause_description":"Normal call clearing","reason_key":"Call Disconnected By Caller",
         "call_id":"{{smartfloId}}","call_connected":"1","status":"answered","call_status":"contacted",
         "customer_no_with_prefix ":"{{customer}}","ref_id":"{{refId}}","custom_identifier":"{{callId}}"}
        """;

    [Fact]
    public async Task Every_order_of_answered_hangup_stop_and_duplicates_converges()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        var connection = (await (await s.Partner.Client.GetAsync($"/api/v2/telephony/connections/{s.ConnectionId}", Ct)).ShouldBeSuccessAsync())["connection"]!;
        var resolver = connection["smartflo"]!.Str("resolver_url");
        var lifecycle = connection["smartflo"]!.Str("lifecycle_url");
        string[][] orders =
        [
            ["answered", "hangup", "stop", "hangup"], ["answered", "stop", "hangup", "hangup"], ["hangup", "answered", "stop", "hangup"],
            ["hangup", "stop", "answered", "hangup"], ["stop", "answered", "hangup", "hangup"], ["stop", "hangup", "answered", "hangup"],
        ];
        var finals = new List<JsonNode>();
        var n = 60;
        foreach (var order in orders)
        {
            var customer = $"+9198000000{n++}";
            _sim.Calls.ScriptNextCall(new FarEndScript { Number = customer, AnswerAfterMs = 600_000 });
            var callId = (await (await s.StartAsync(customer)).ShouldBeSuccessAsync(201)).Str("call_id");
            var ringing = await s.WaitForAsync(callId, c => c.Str("status") == "ringing");
            var refId = ringing["telephony"]!.Str("ref_id");
            var smartfloId = $"h11.08-17705326{n}.2135633";

            // Smartflo's VOICE Bot leg: resolver, then the media socket.
            using var http = new HttpClient();
            var reply = await http.PostAsync(resolver, new StringContent(
                $"{{\"callId\":\"{smartfloId}\",\"fromNumber\":\"{SimulatedSmartflo.SalesDid}\",\"toNumber\":\"{customer}\",\"status\":\"answered\"}}", Encoding.UTF8, "application/json"), Ct);
            var url = JsonNode.Parse(await reply.Content.ReadAsStringAsync(Ct))!["wss_url"]!.GetValue<string>();
            using var ws = new ClientWebSocket();
            await ws.ConnectAsync(new Uri(url), Ct);
            await ws.SendAsync(Encoding.UTF8.GetBytes($"{{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{{\"streamSid\":\"MZ{n}\",\"callSid\":\"{smartfloId}\",\"from\":\"{SimulatedSmartflo.SalesDid}\",\"to\":\"{customer}\"}},\"streamSid\":\"MZ{n}\"}}"),
                WebSocketMessageType.Text, true, Ct);
            await s.WaitForAsync(callId, c => c.Str("status") == "in_progress");

            foreach (var step in order)
            {
                if (step == "stop")
                {
                    await ws.SendAsync(Encoding.UTF8.GetBytes($"{{\"event\":\"stop\",\"stop\":{{\"reason\":\"The caller disconnected the call\"}},\"streamSid\":\"MZ{n}\"}}"), WebSocketMessageType.Text, true, Ct);
                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Ct);
                    await s.WaitForAsync(callId, c => c["telephony"]!["provider_stop_reason"] is not null);
                }
                else
                {
                    var body = step == "answered" ? Answered(callId, refId, customer, smartfloId) : Hangup(callId, refId, customer, smartfloId);
                    var ack = await http.PostAsync($"{lifecycle}&event={step}", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
                    (await ack.Content.ReadAsStringAsync(Ct)).ShouldBe("{\"success\":true}");
                    await Task.Delay(300, Ct); // let the inbox processor apply it before the next event
                }
            }
            var final = await s.WaitForAsync(callId, c => c.Str("status") == "completed" && c["telephony"]!["billsec"] is not null
                && c["telephony"]!["provider_stop_reason"] is not null);
            final["telephony"]!.Str("provider_call_id").ShouldBe(smartfloId);
            final["telephony"]!.Str("provider_uuid").ShouldBe("u" + smartfloId[7..17]);
            finals.Add(final);
        }

        static string Outcome(JsonNode c) => string.Join("|", c.Str("status"), c.Str("disposition"), c.Str("answered_by"), c.Str("end_reason"),
            c["telephony"]!["billsec"], c["telephony"]!["hangup_cause"], c["telephony"]!["hangup_cause_code"],
            c["telephony"]!["provider_stop_reason"], c["ended_at"]);
        var outcomes = finals.Select(Outcome).ToList();
        outcomes.Distinct().Count().ShouldBe(1, string.Join("\n", outcomes));
        var first = finals[0];
        first.Str("status").ShouldBe("completed");
        first.Str("end_reason").ShouldBe("user_hangup");
        first["telephony"]!["billsec"]!.GetValue<int>().ShouldBe(12);
        first.Str("ended_at").ShouldBe("2026-02-08T06:37:31.000Z"); // IST 12:07:31 from the hangup webhook (the earliest end evidence)
    }
}
