using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Awaaz.Smartflo;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Streaming;

namespace Awaaz.Server.Tests.Calls;

/// <summary>
/// The media socket's receive buffer starts small and grows: frames up to 64 KiB are read whole, larger ones are
/// skipped (smartflo.md §11.1) and the stream carries on.
/// </summary>
public sealed class StreamFrameSizeTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private SmartfloSimulator _sim = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task A_start_larger_than_the_first_buffer_is_read_whole_after_an_oversized_frame_is_skipped()
    {
        var s = await CallScenario.CreateAsync(factory, _sim);
        var numbers = await (await s.Partner.Client.PostJsonAsync("/api/v2/phone-numbers/sync", new { provider = "tata_smartflo", connection_id = s.ConnectionId })).ShouldBeSuccessAsync();
        var bot = numbers["phone_numbers"]!.AsArray().Single(n => n!.Str("phone_number") == SimulatedSmartflo.BotDid)!;
        await (await s.Partner.Client.PutJsonAsync($"/api/v2/phone-numbers/{bot.Str("id")}", new { agent_id = s.AgentId })).ShouldBeSuccessAsync();
        var connection = (await (await s.Partner.Client.GetAsync($"/api/v2/telephony/connections/{s.ConnectionId}", Ct)).ShouldBeSuccessAsync())["connection"]!;

        using var http = new HttpClient();
        var resolve = await http.PostAsync(connection["smartflo"]!.Str("resolver_url"), new StringContent(
            """{"callId":"h3.08-1770534283.7777777","fromNumber":"9876500001","toNumber":"8071000002","status":"answered"}""", Encoding.UTF8, "application/json"), Ct);
        var reply = System.Text.Json.Nodes.JsonNode.Parse(await resolve.Content.ReadAsStringAsync(Ct))!;
        reply["success"]!.GetValue<bool>().ShouldBeTrue(reply.ToJsonString());
        var wssUrl = reply.Str("wss_url");

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(wssUrl), Ct);
        var carrier = new CarrierFrameWriter("MZ" + new string('7', 32), "AC" + new string('0', 32), "h3.08-1770534283.7777777");

        // 1. A 70 KB text frame: over the limit, skipped.
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"event\":\"connected\",\"pad\":\"" + new string('x', 70_000) + "\"}"), WebSocketMessageType.Text, true, Ct);
        // 2. A ~20 KB start (large customParameters): above the first 4 KB buffer, below the limit.
        var start = new ArrayBufferWriter<byte>();
        carrier.WriteStart(start, "9876500001", "8071000002", CallDirection.Inbound,
            Enumerable.Range(0, 200).ToDictionary(i => $"extra_{i}", _ => new string('y', 90)));
        start.WrittenCount.ShouldBeGreaterThan(16_384);
        await socket.SendAsync(start.WrittenMemory, WebSocketMessageType.Text, true, Ct);

        // The session started: the echo agent's greeting arrives as bot media frames for this stream.
        var buffer = new byte[64 * 1024];
        StreamMessage? first = null;
        for (var i = 0; i < 50 && first is not MediaMessage; i++)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            wait.CancelAfter(TimeSpan.FromSeconds(10)); // bound only: the greeting starts at once
            var received = await socket.ReceiveAsync(buffer, wait.Token);
            received.MessageType.ShouldBe(WebSocketMessageType.Text);
            first = StreamFrameParser.Parse(buffer.AsSpan(0, received.Count)).Message;
        }
        first.ShouldBeOfType<MediaMessage>().StreamSid.ShouldBe(carrier.StreamSid);

        var carrierStop = new ArrayBufferWriter<byte>();
        carrier.WriteStop(carrierStop);
        await socket.SendAsync(carrierStop.WrittenMemory, WebSocketMessageType.Text, true, Ct);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Ct);
    }
}
