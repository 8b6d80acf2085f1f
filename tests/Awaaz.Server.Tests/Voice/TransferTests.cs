using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Faults;
using Awaaz.Smartflo.Simulator.Rest;

namespace Awaaz.Server.Tests.Voice;

/// <summary>
/// The agent's transfer tool end to end (partner-api.md §9.11, smartflo.md §5.10): the scripted dialogue calls
/// <c>transfer_call</c> when the caller presses 1, espeak-ng speaks, the simulated Smartflo transfers (or not).
/// </summary>
public sealed class TransferTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private const string Script = """
        ```awaaz-script
        {"steps":[
          {"id":"menu","say":"Press one to talk to a person.","intents":{"person":["1"]},"routes":{"person":"handoff"}},
          {"id":"handoff","transfer":true,"next":"after"},
          {"id":"after","say":"Press two to finish.","intents":{"bye":["2"]},"routes":{"bye":"bye"}},
          {"id":"bye","say":"Goodbye.","end":true}]}
        ```
        """;
    private const string TransferNumber = "+919800000002";
    private const string Announcement = "Connecting you to our team, Asha.";
    private const string FailureLine = "I am sorry, I could not transfer your call right now.";

    private SmartfloSimulator _sim = null!;
    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    private static object Agent => new
    {
        prompt = Script, transfer_enabled = true, transfer_number = TransferNumber, transfer_message = "Connecting you to our team, {{callee_name}}.",
        pipeline = new { stt = new { provider = "pocketsphinx" }, llm = new { provider = "scripted" }, tts = new { provider = "espeak", voice = "gmw/en-US" } },
    };

    /// <summary>Starts a call to <paramref name="to"/>, waits until the greeting was heard, and presses 1.</summary>
    private async Task<string> CallAndAskForAPersonAsync(CallScenario s, string to, string? connectionId = null)
    {
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = to, AnswerAfterMs = 300 });
        var callId = (await (await s.StartAsync(to, connectionId: connectionId)).ShouldBeSuccessAsync(201)).Str("call_id");
        await HeardAsync(callId, 1);
        await _sim.Calls.SendDtmfAsync(callId, "1", TestContext.Current.CancellationToken);
        return callId;
    }

    /// <summary>Waits (bounded) until the simulated caller has heard <paramref name="utterances"/> bot utterances to their end (played marks).</summary>
    private async Task HeardAsync(string callId, int utterances)
    {
        for (var i = 0; i < 600; i++)
        {
            if (_sim.Calls.Stream(callId) is { } stream && stream.Marks.Count(m => m.Echo == MarkEchoKind.Played) >= utterances) return;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"call {callId}: the caller did not hear {utterances} utterance(s); marks: {string.Join(", ", _sim.Calls.Stream(callId)?.Marks.Select(m => $"{m.Name}={m.Echo}") ?? [])}");
    }

    private static List<string> Transcript(JsonNode call) =>
        call["session"]!["transcript"]!.AsArray().Select(t => $"{t!.Str("role")}: {t.Str("content")}").ToList();

    private static JsonNode TransferOf(JsonNode call) => call["transfer"] ?? throw new ShouldAssertException($"no transfer: {call.ToJsonString()}");

    [Fact]
    public async Task Successful_transfer_announces_stops_the_stream_and_ends_the_call_without_a_hang_up()
    {
        var s = await CallScenario.CreateAsync(factory, _sim, agentExtras: Agent);
        await VoiceBotWiring.WireAsync(_sim, s);
        var callId = await CallAndAskForAPersonAsync(s, "+919800000091");

        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 60);
        ended.Str("end_reason").ShouldBe("transfer", ended.ToJsonString());
        var transfer = TransferOf(ended);
        transfer.Str("status").ShouldBe("succeeded");
        transfer.Str("number").ShouldBe(TransferNumber);
        transfer["requested_at"].ShouldNotBeNull();
        transfer["error"].ShouldBeNull();
        transfer["reason"].ShouldBeNull();
        transfer.Str("note").ShouldBe("handoff");
        ended["telephony"]!.Str("provider_stop_reason").ShouldBe(StopReasons.CallTransferred);

        // The caller heard the whole announcement (its mark came back) before Smartflo was asked to transfer.
        var turns = ended["session"]!["transcript"]!.AsArray();
        var announcement = turns.Single(t => t!.Str("content") == Announcement)!;
        announcement["interrupted"]!.GetValue<bool>().ShouldBeFalse();
        Transcript(ended).ShouldNotContain($"bot: {FailureLine}");
        var options = _sim.Requests.All.Single(r => r.Route == SmartfloRoute.CallOptions);
        var body = JsonNode.Parse(options.Body)!;
        body["type"]!.GetValue<int>().ShouldBe(4);
        body.Str("intercom").ShouldBe("9800000002");
        body.Str("call_id").ShouldBe(_sim.Calls.Get(callId).CallId);
        options.At.ShouldBeGreaterThan(DateTimeOffset.Parse(announcement.Str("end_timestamp")).AddMilliseconds(-50));

        // The caller talks to the new leg until it hangs up; Awaaz never hung up, and the hangup webhook keeps the outcome.
        await _sim.Calls.WhenStreamDoneAsync(callId);
        _sim.Calls.Stream(callId)!.EndReason.ShouldBe(StreamEndReason.Transferred);
        _sim.Calls.Stream(callId)!.Violations.ShouldBeEmpty();
        _sim.Calls.Get(callId).State.ShouldBe(Awaaz.Smartflo.Simulator.Calls.CallState.Answered);
        await _sim.Calls.CallerHangupAsync(callId, TestContext.Current.CancellationToken);
        var final = await s.WaitForAsync(callId, c => c["telephony"]!["billsec"] is not null, 30);
        final.Str("status").ShouldBe("completed");
        final.Str("end_reason").ShouldBe("transfer");
        TransferOf(final).Str("status").ShouldBe("succeeded");
        _sim.Requests.Count(SmartfloRoute.Hangup).ShouldBe(0);
        _sim.Calls.Stream(callId)!.Bot.Ends.ShouldBe(0);
    }

    [Fact]
    public async Task Failed_transfer_is_told_to_the_caller_and_the_conversation_goes_on()
    {
        var s = await CallScenario.CreateAsync(factory, _sim, agentExtras: Agent);
        await VoiceBotWiring.WireAsync(_sim, s);
        _sim.Faults.Update(f => f.Transfer = TransferBehaviour.Reject);
        var callId = await CallAndAskForAPersonAsync(s, "+919800000092");

        await HeardAsync(callId, 4); // greeting, announcement, failure line, next step
        var failed = await s.GetCallAsync(callId);
        failed.Str("status").ShouldBe("in_progress");
        var transfer = TransferOf(failed);
        transfer.Str("status").ShouldBe("failed");
        transfer.Str("reason").ShouldBe("rejected");
        transfer.Str("error").ShouldContain("Transfer failed: the destination could not be reached");
        transfer.Str("number").ShouldBe(TransferNumber);

        await _sim.Calls.SendDtmfAsync(callId, "2", TestContext.Current.CancellationToken);
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 60);
        ended.Str("end_reason").ShouldBe("agent_end_call");
        TransferOf(ended).Str("status").ShouldBe("failed");
        var transcript = Transcript(ended);
        transcript.ShouldBe([
            "bot: Press one to talk to a person.", "user: 1", $"bot: {Announcement}", $"bot: {FailureLine}", "bot: Press two to finish.", "user: 2", "bot: Goodbye.",
        ], string.Join("\n", transcript));
        _sim.Requests.Count(SmartfloRoute.CallOptions).ShouldBe(1);
    }

    [Fact]
    public async Task Stream_kept_open_after_a_transfer_is_closed_by_Awaaz_without_a_hang_up()
    {
        var s = await CallScenario.CreateAsync(factory, _sim, agentExtras: Agent);
        await VoiceBotWiring.WireAsync(_sim, s);
        _sim.Faults.Update(f => f.Transfer = TransferBehaviour.KeepStream);
        var callId = await CallAndAskForAPersonAsync(s, "+919800000093");

        var transferred = await s.WaitForAsync(callId, c => c["transfer"] is JsonObject, 60);
        _sim.Calls.Stream(callId)!.Outcome.ShouldBe(CallerOutcome.Streamed);
        TransferOf(transferred).Str("status").ShouldBe("succeeded");
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 40);
        ended.Str("end_reason").ShouldBe("transfer");
        ended["telephony"]!["provider_stop_reason"].ShouldBeNull();

        await _sim.Calls.WhenStreamDoneAsync(callId);
        var stream = _sim.Calls.Stream(callId)!;
        stream.EndReason.ShouldBeOneOf(StreamEndReason.BotClosed, StreamEndReason.StreamLost); // Awaaz closed it (its close handshake may be cut short)
        stream.Bot.Ends.ShouldBe(0); // no `end` event: it could drop the caller from the new leg
        _sim.Requests.Count(SmartfloRoute.Hangup).ShouldBe(0);
        _sim.Calls.Get(callId).State.ShouldBe(Awaaz.Smartflo.Simulator.Calls.CallState.Answered); // still talking on the new leg
        factory.Logs.Lines.ShouldContain(l => l.Contains("no stop within 10 s of the transfer"));
    }

    [Fact]
    public async Task Api_key_only_connection_cannot_transfer_and_says_why()
    {
        var s = await CallScenario.CreateAsync(factory, _sim, agentExtras: Agent);
        var apiKeyOnly = await (await s.Partner.Client.PostJsonAsync("/api/v2/telephony/connections", new
        {
            provider = "tata_smartflo", name = "Key only", api_key = SimulatedSmartflo.ApiKey, from_number = SimulatedSmartflo.SalesDid, base_url = _sim.BaseUrl,
        })).ShouldBeSuccessAsync(201);
        var keyOnly = s with { ConnectionId = apiKeyOnly["connection"]!.Str("id") };
        await VoiceBotWiring.WireAsync(_sim, keyOnly);
        var callId = await CallAndAskForAPersonAsync(keyOnly, "+919800000094", keyOnly.ConnectionId);

        await HeardAsync(callId, 4); // greeting, announcement, failure line, next step
        var transfer = TransferOf(await s.GetCallAsync(callId));
        transfer.Str("status").ShouldBe("failed");
        transfer.Str("reason").ShouldBe("not_supported");
        transfer.Str("error").ShouldContain("api-key-only");
        _sim.Requests.Count(SmartfloRoute.CallOptions).ShouldBe(0);

        await _sim.Calls.CallerHangupAsync(callId, TestContext.Current.CancellationToken);
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 30);
        ended.Str("end_reason").ShouldBe("user_hangup");
        TransferOf(ended).Str("reason").ShouldBe("not_supported");
        Transcript(ended).ShouldBe(["bot: Press one to talk to a person.", "user: 1", $"bot: {Announcement}", $"bot: {FailureLine}", "bot: Press two to finish."]);
    }
}

/// <summary>The same tool driven by an OpenAI-compatible LLM (the in-process fake): declaration, call, and the failure fed back.</summary>
public sealed class LlmTransferTests(LlmTransferTests.OpenAiFactory factory) : IClassFixture<LlmTransferTests.OpenAiFactory>, IAsyncLifetime
{
    public sealed class OpenAiFactory : AwaazFactory
    {
        public Cloud.FakeOpenAi OpenAi { get; private set; } = null!;

        public override async ValueTask InitializeAsync()
        {
            OpenAi = await Cloud.FakeOpenAi.StartAsync();
            With("OPENAI_API_KEY", Cloud.FakeOpenAi.Key);
            With("OPENAI_BASE_URL", OpenAi.BaseUrl);
            await base.InitializeAsync();
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            await OpenAi.DisposeAsync();
        }
    }

    private SmartfloSimulator _sim = null!;
    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task The_llm_calls_transfer_call_and_reads_why_it_failed()
    {
        var openAi = factory.OpenAi;
        openAi.Enqueue(
            Cloud.FakeOpenAi.ToolCall("call_1", "transfer_call", """{"reason":""", """ "billing question"}"""),
            Cloud.FakeOpenAi.Text("Is there anything else ", "I can help with?"));
        var s = await CallScenario.CreateAsync(factory, _sim, agentExtras: new
        {
            prompt = "You are a support agent.", intro_message = "Hello. Press one for a person.",
            transfer_enabled = true, transfer_number = "+919800000002", transfer_instructions = "When the caller wants a person.",
            pipeline = new { stt = new { provider = "pocketsphinx" }, llm = new { provider = "openai", model = "gpt-4o-mini" }, tts = new { provider = "espeak", voice = "gmw/en-US" } },
        });
        await VoiceBotWiring.WireAsync(_sim, s);
        _sim.Faults.Update(f => f.Transfer = TransferBehaviour.Reject);
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = "+919800000095", AnswerAfterMs = 300 });
        var callId = (await (await s.StartAsync("+919800000095")).ShouldBeSuccessAsync(201)).Str("call_id");
        await HeardAsync(callId, 1);
        await _sim.Calls.SendDtmfAsync(callId, "1", TestContext.Current.CancellationToken);

        await HeardAsync(callId, 4); // greeting, default announcement, failure line, the LLM's answer
        var requests = openAi.Requests;
        requests.Count.ShouldBe(2);
        var tool = requests[0].Body["tools"]!.AsArray().Single(t => t!["function"]!.Str("name") == "transfer_call")!["function"]!;
        tool.Str("description").ShouldContain("When the caller wants a person.");
        var second = requests[1].Body;
        var result = second["messages"]!.AsArray().Single(m => m!.Str("role") == "tool")!;
        result.Str("tool_call_id").ShouldBe("call_1");
        var content = JsonNode.Parse(result.Str("content"))!;
        content.Str("status").ShouldBe("failed");
        content.Str("reason").ShouldBe("rejected");

        await _sim.Calls.CallerHangupAsync(callId, TestContext.Current.CancellationToken);
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 30);
        var transfer = ended["transfer"]!;
        transfer.Str("reason").ShouldBe("rejected");
        transfer.Str("note").ShouldBe("billing question");
        var transcript = ended["session"]!["transcript"]!.AsArray().Where(t => t!.Str("role") == "bot").Select(t => t!.Str("content")).ToList();
        transcript.ShouldBe(["Hello. Press one for a person.", "Please hold while I transfer your call.",
            "I am sorry, I could not transfer your call right now.", "Is there anything else I can help with?"], string.Join("\n", transcript));
    }

    private async Task HeardAsync(string callId, int utterances)
    {
        for (var i = 0; i < 600; i++)
        {
            if (_sim.Calls.Stream(callId) is { } stream && stream.Marks.Count(m => m.Echo == MarkEchoKind.Played) >= utterances) return;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"call {callId}: the caller did not hear {utterances} utterance(s)");
    }
}
