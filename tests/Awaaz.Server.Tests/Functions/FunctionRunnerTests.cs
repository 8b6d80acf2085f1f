using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Awaaz.Server.Functions;
using Awaaz.Server.Outbound;
using Awaaz.Server.Tests.Voice.Cloud;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Awaaz.Server.Tests.Functions;

/// <summary>The function runner against a local Kestrel endpoint (private targets allowed).</summary>
public sealed class FunctionRunnerTests : IAsyncLifetime
{
    private const string Secret = "Bearer fn-secret-5f1c2e9d7a";
    private FakeVendorServer _server = null!;
    private readonly ConcurrentQueue<(string Method, string PathAndQuery, Dictionary<string, string> Headers, string Body)> _received = new();
    private readonly LogCapture _logs = new();
    private readonly FunctionSecrets _secrets = new(new EphemeralDataProtectionProvider());
    private FunctionRunner _runner = null!;
    private OutboundClient _http = null!;

    private static readonly FunctionCallInfo Call = new("c1", "s1", "a1", new Dictionary<string, object?> { ["callee_name"] = "Asha" });

    public async ValueTask InitializeAsync()
    {
        _server = await FakeVendorServer.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
                // Kestrel reuses its header collections after the response: keep a copy.
                var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                _received.Enqueue((context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body));
                await next();
            });
            app.MapPost("/orders", () => Results.Text("""{"status":"shipped","eta":"tomorrow"}""", "application/json"));
            app.MapGet("/orders", (HttpContext c) => Results.Text("order " + c.Request.Query["order_id"]));
            app.MapPost("/broken", () => Results.Text("stack trace with secrets", statusCode: 500));
            app.MapPost("/slow", async (HttpContext c) => { await Task.Delay(Timeout.Infinite, c.RequestAborted); });
            app.MapPost("/huge", () => Results.Text(new string('x', 10_000)));
            app.MapPost("/empty", () => Results.Ok());
        });
        _http = new OutboundClient(Options.Create(new OutboundOptions { AllowPrivateTargets = true }));
        _runner = new FunctionRunner(_http, _secrets, new Logger<FunctionRunner>(new LoggerFactory([_logs])));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private AgentFunction Function(string path, string method = "POST", int timeoutMs = 5000) => new()
    {
        Name = "lookup_order", Description = "Looks up an order.", Url = _server.BaseUrl + path, Method = method, TimeoutMs = timeoutMs,
        Headers = [_secrets.Seal("Authorization", Secret), _secrets.Seal("X-Tenant", "acme")],
    };

    private static Dictionary<string, object?> Arguments(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!.ToDictionary(p => p.Key, p => (object?)p.Value);

    [Fact]
    public async Task Post_sends_the_function_its_arguments_and_the_call_with_the_decrypted_headers()
    {
        var outcome = await _runner.InvokeAsync(Function("/orders"), Arguments("""{"order_id":"A-17","express":true}"""), Call, TestContext.Current.CancellationToken);

        outcome.ShouldBe(FunctionOutcome.Success("""{"status":"shipped","eta":"tomorrow"}"""));
        var request = _received.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Headers["Authorization"].ShouldBe(Secret);
        request.Headers["X-Tenant"].ShouldBe("acme");
        request.Headers["Content-Type"].ShouldBe("application/json; charset=utf-8");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body), JsonNode.Parse("""
            {"function":"lookup_order","arguments":{"order_id":"A-17","express":true},
             "call":{"call_id":"c1","session_id":"s1","agent_id":"a1","variables":{"callee_name":"Asha"}}}
            """)).ShouldBeTrue(request.Body);
    }

    [Fact]
    public async Task Get_sends_the_arguments_as_the_query_string()
    {
        var function = Function("/orders?source=voice", method: "GET");

        var outcome = await _runner.InvokeAsync(function, Arguments("""{"order_id":"A 17/x","count":2,"tags":["a"]}"""), Call, TestContext.Current.CancellationToken);

        outcome.ShouldBe(FunctionOutcome.Success("order A 17/x"));
        var request = _received.ShouldHaveSingleItem();
        request.Method.ShouldBe("GET");
        request.PathAndQuery.ShouldBe("/orders?source=voice&order_id=A%2017%2Fx&count=2&tags=%5B%22a%22%5D");
        request.Body.ShouldBeEmpty();
        request.Headers["Authorization"].ShouldBe(Secret);
    }

    [Fact]
    public async Task An_error_status_is_a_failure_and_its_body_is_not_passed_on()
    {
        var outcome = await _runner.InvokeAsync(Function("/broken"), null, Call, TestContext.Current.CancellationToken);

        outcome.ShouldBe(FunctionOutcome.Failure("HTTP 500"));
    }

    [Fact]
    public async Task A_slow_endpoint_fails_with_the_functions_timeout()
    {
        var outcome = await _runner.InvokeAsync(Function("/slow", timeoutMs: 500), null, Call, TestContext.Current.CancellationToken);

        outcome.ShouldBe(FunctionOutcome.Failure("timeout after 500 ms"));
    }

    [Fact]
    public async Task The_turns_token_cancels_the_request()
    {
        using var turn = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var running = _runner.InvokeAsync(Function("/slow", timeoutMs: 30_000), null, Call, turn.Token);
        while (_received.IsEmpty) await Task.Delay(10, TestContext.Current.CancellationToken);

        turn.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task The_result_for_the_LLM_is_capped_and_an_empty_body_says_so()
    {
        var huge = await _runner.InvokeAsync(Function("/huge"), null, Call, TestContext.Current.CancellationToken);
        var empty = await _runner.InvokeAsync(Function("/empty"), null, Call, TestContext.Current.CancellationToken);

        huge.Result!.Length.ShouldBe(FunctionRunner.MaxResultChars);
        huge.Result.ShouldEndWith("…(truncated)");
        empty.Result.ShouldBe("(the function returned no content)");
    }

    [Fact]
    public async Task A_blocked_target_fails_without_sending_anything()
    {
        using var guarded = new OutboundClient(Options.Create(new OutboundOptions()));
        var runner = new FunctionRunner(guarded, _secrets, new Logger<FunctionRunner>(new LoggerFactory([_logs])));

        var outcome = await runner.InvokeAsync(Function("/orders"), Arguments("""{"order_id":"A-17"}"""), Call, TestContext.Current.CancellationToken);

        outcome.ShouldBe(FunctionOutcome.Failure("blocked target address"));
        _received.ShouldBeEmpty();
    }

    [Fact]
    public async Task Logs_name_the_function_and_outcome_but_never_header_values_or_bodies()
    {
        await _runner.InvokeAsync(Function("/orders"), Arguments("""{"order_id":"A-17"}"""), Call, TestContext.Current.CancellationToken);
        await _runner.InvokeAsync(Function("/broken"), Arguments("""{"order_id":"A-17"}"""), Call, TestContext.Current.CancellationToken);

        _logs.All.ShouldContain("lookup_order");
        _logs.All.ShouldContain("HTTP 500");
        _logs.All.ShouldNotContain("fn-secret");
        _logs.All.ShouldNotContain("acme");
        _logs.All.ShouldNotContain("A-17");
        _logs.All.ShouldNotContain("shipped");
        _logs.All.ShouldNotContain("stack trace");
    }
}
