using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Awaaz.Server.Tests.Voice.Cloud;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Awaaz.Server.Tests.Functions;

/// <summary>
/// A server whose LLM is the OpenAI-compatible client pointed at <see cref="FakeOpenAi"/>, and a local endpoint that
/// answers agent functions and records what it received.
/// </summary>
public class FunctionCallFactory : AwaazFactory
{
    public FakeOpenAi OpenAi { get; private set; } = null!;
    public FakeVendorServer Endpoint { get; private set; } = null!;
    public ConcurrentQueue<(DateTimeOffset At, string Method, string Path, Dictionary<string, string> Headers, string Body)> Received { get; } = new();
    /// <summary>What the endpoint answers next: status and body.</summary>
    public (int Status, string Body) Answer { get; set; }

    protected virtual bool AllowPrivateTargets => true;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        OpenAi = await FakeOpenAi.StartAsync();
        Endpoint = await FakeVendorServer.StartAsync(app => app.MapPost("/orders", async (HttpContext context) =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            Received.Enqueue((DateTimeOffset.UtcNow, context.Request.Method, context.Request.Path,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            return Results.Text(Answer.Body, "application/json", statusCode: Answer.Status);
        }));
        With("OPENAI_API_KEY", FakeOpenAi.Key);
        With("OPENAI_BASE_URL", OpenAi.BaseUrl);
        if (AllowPrivateTargets) With("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await OpenAi.DisposeAsync();
        await Endpoint.DisposeAsync();
    }
}

/// <summary>The same, with the server's default: private targets refused.</summary>
public sealed class GuardedFunctionCallFactory : FunctionCallFactory
{
    protected override bool AllowPrivateTargets => false;
}

/// <summary>Shared by the call tests: the agent, the call with a DTMF press, and the LLM's scripted replies.</summary>
internal static class FunctionCall
{
    public const string Secret = "Bearer fn-secret-77c0ffee42";
    public const string Started = "Let me check that, Asha.";
    public const string Apology = "Sorry, the order system is not answering.";
    public const string Goodbye = "Thank you for your time. Goodbye!";

    public static async Task<(CallScenario Scenario, string CallId)> StartAsync(FunctionCallFactory factory, SmartfloSimulator sim, string url, string number)
    {
        var s = await CallScenario.CreateAsync(factory, sim, agentExtras: new
        {
            prompt = "You are the order assistant of Acme, speaking with {{callee_name}}.",
            pipeline = new
            {
                stt = new { provider = "pocketsphinx" }, llm = new { provider = "openai", model = "gpt-test" },
                tts = new { provider = "espeak", voice = "gmw/en-US" },
            },
            functions = new[]
            {
                new
                {
                    name = "lookup_order", description = "Looks up the delivery status of an order.", url,
                    headers = new Dictionary<string, string> { ["Authorization"] = Secret },
                    parameters = JsonNode.Parse("""{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}"""),
                    timeout_ms = 5000, started_message = "Let me check that, {{callee_name}}.", error_message = Apology,
                },
            },
        });
        // The caller is silent and presses 1 once the stream is up: DTMF is the user's turn.
        await VoiceBotWiring.WireAsync(sim, s, VoiceBotWiring.CallerWav(speechStartSeconds: 0, speechSeconds: 0, totalSeconds: 40));
        sim.Calls.ScriptNextCall(new FarEndScript { Number = number, AnswerAfterMs = 300, Dtmf = "1", DtmfAfterMs = 2500 });
        var callId = (await (await s.StartAsync(number)).ShouldBeSuccessAsync(201)).Str("call_id");
        return (s, callId);
    }

    /// <summary>The LLM's first reply: call the function.</summary>
    public static Func<HttpContext, Task> CallLookup() => FakeOpenAi.ToolCall("call_1", "lookup_order", """{"order_id":""", "\"A-17\"}");

    /// <summary>The LLM's second reply: say <paramref name="text"/>, then end the call.</summary>
    public static Func<HttpContext, Task> SayAndHangUp(string text) => FakeOpenAi.Sse(
        FakeOpenAi.TextChunks(text).Concat(FakeOpenAi.ToolCallChunks("call_2", "end_call")).Append(FakeOpenAi.FinishChunk("tool_calls")).Append(FakeOpenAi.UsageChunk()),
        done: true);

    public static List<string> Transcript(JsonNode call) =>
        call["session"]!["transcript"]!.AsArray().Select(t => $"{t!.Str("role")} {t.Str("type")}: {t.Str("content")}").ToList();

    /// <summary>The tool message of the LLM's second request (the function's result as the LLM read it).</summary>
    /// <param name="before">Requests the fake had received before this test (the fake is shared by the class).</param>
    public static JsonNode ToolMessage(FakeOpenAi openAi, int before)
    {
        openAi.Requests.Count.ShouldBe(before + 2);
        return openAi.Requests[before + 1].Body["messages"]!.AsArray().Single(m => m!.Str("role") == "tool")!;
    }
}

public sealed class FunctionCallTests(FunctionCallFactory factory) : IClassFixture<FunctionCallFactory>, IAsyncLifetime
{
    private SmartfloSimulator _sim = null!;
    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task The_caller_hears_the_started_message_and_the_LLM_gets_the_functions_result()
    {
        factory.Received.Clear();
        var before = factory.OpenAi.Requests.Count;
        factory.Answer = (200, """{"order_id":"A-17","status":"shipped","eta":"tomorrow"}""");
        factory.OpenAi.Enqueue(FunctionCall.CallLookup(), FunctionCall.SayAndHangUp("Your order A-17 ships tomorrow."));

        var (s, callId) = await FunctionCall.StartAsync(factory, _sim, factory.Endpoint.BaseUrl + "/orders", "+919800000091");
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 60);

        ended.Str("end_reason").ShouldBe("agent_end_call", ended.ToJsonString());
        FunctionCall.Transcript(ended).ShouldBe([
            "user dtmf: 1",
            $"bot speech: {FunctionCall.Started}",
            "bot speech: Your order A-17 ships tomorrow.",
            $"bot speech: {FunctionCall.Goodbye}",
        ]);
        var started = ended["session"]!["transcript"]![1]!;
        started["interrupted"]!.GetValue<bool>().ShouldBeFalse(); // the caller heard all of it

        // The endpoint: one POST with the decrypted header and the documented body, sent while the started message played.
        var request = factory.Received.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Headers["Authorization"].ShouldBe(FunctionCall.Secret);
        request.Headers["Content-Type"].ShouldBe("application/json; charset=utf-8");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), new JsonObject
        {
            ["function"] = "lookup_order",
            ["arguments"] = new JsonObject { ["order_id"] = "A-17" },
            ["call"] = new JsonObject
            {
                ["call_id"] = callId, ["session_id"] = ended.Str("session_id"), ["agent_id"] = s.AgentId,
                ["variables"] = new JsonObject { ["callee_name"] = "Asha" },
            },
        }).ShouldBeTrue(request.Body);
        request.At.ShouldBeLessThan(DateTimeOffset.Parse(started.Str("end_timestamp")));

        // The LLM: told about the function with its schema, then given its result.
        var tool = factory.OpenAi.Requests[before].Body["tools"]!.AsArray().Single(t => t!["function"]!.Str("name") == "lookup_order")!;
        tool["function"]!.Str("description").ShouldBe("Looks up the delivery status of an order.");
        tool["function"]!["parameters"]!["required"]!.ToJsonString().ShouldBe("""["order_id"]""");
        var result = FunctionCall.ToolMessage(factory.OpenAi, before);
        result.Str("tool_call_id").ShouldBe("call_1");
        result.Str("content").ShouldBe("""{"order_id":"A-17","status":"shipped","eta":"tomorrow"}""");

        await _sim.Calls.WhenStreamDoneAsync(callId);
        _sim.Calls.Stream(callId)!.Violations.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failing_endpoint_makes_the_agent_say_the_error_message_and_the_call_goes_on()
    {
        factory.Received.Clear();
        var before = factory.OpenAi.Requests.Count;
        factory.Answer = (500, """{"error":"database down"}""");
        factory.OpenAi.Enqueue(FunctionCall.CallLookup(), FunctionCall.SayAndHangUp("I will ask a colleague to call you back."));

        var (s, callId) = await FunctionCall.StartAsync(factory, _sim, factory.Endpoint.BaseUrl + "/orders", "+919800000092");
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 60);

        ended.Str("end_reason").ShouldBe("agent_end_call", ended.ToJsonString());
        FunctionCall.Transcript(ended).ShouldBe([
            "user dtmf: 1",
            $"bot speech: {FunctionCall.Started}",
            $"bot speech: {FunctionCall.Apology}",
            "bot speech: I will ask a colleague to call you back.",
            $"bot speech: {FunctionCall.Goodbye}",
        ]);
        factory.Received.Count.ShouldBe(1);
        var result = JsonNode.Parse(FunctionCall.ToolMessage(factory.OpenAi, before).Str("content"))!;
        result.Str("error").ShouldBe("The function failed: HTTP 500.");
        result.Str("already_said_to_caller").ShouldBe(FunctionCall.Apology);
        result.ToJsonString().ShouldNotContain("database down");
    }
}

public sealed class BlockedFunctionCallTests(GuardedFunctionCallFactory factory) : IClassFixture<GuardedFunctionCallFactory>, IAsyncLifetime
{
    private SmartfloSimulator _sim = null!;
    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task A_function_host_resolving_to_loopback_is_blocked_and_nothing_is_sent()
    {
        var before = factory.OpenAi.Requests.Count;
        factory.Answer = (200, """{"status":"shipped"}""");
        factory.OpenAi.Enqueue(FunctionCall.CallLookup(), FunctionCall.SayAndHangUp("I cannot check that right now."));
        // Accepted when saved (a host name is judged on the address it resolves to when the call connects).
        var url = $"https://localhost:{new Uri(factory.Endpoint.BaseUrl).Port}/orders";

        var (s, callId) = await FunctionCall.StartAsync(factory, _sim, url, "+919800000093");
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 60);

        ended.Str("end_reason").ShouldBe("agent_end_call", ended.ToJsonString());
        FunctionCall.Transcript(ended).ShouldBe([
            "user dtmf: 1",
            $"bot speech: {FunctionCall.Started}",
            $"bot speech: {FunctionCall.Apology}",
            "bot speech: I cannot check that right now.",
            $"bot speech: {FunctionCall.Goodbye}",
        ]);
        factory.Received.ShouldBeEmpty();
        JsonNode.Parse(FunctionCall.ToolMessage(factory.OpenAi, before).Str("content"))!.Str("error").ShouldBe("The function failed: blocked target address.");
        factory.Logs.All.ShouldContain("blocked target address");
        factory.Logs.All.ShouldNotContain("fn-secret");
    }
}
