using System.Text.Json;
using System.Text.Json.Nodes;
using Awaaz.Server.Voice.Cloud;
using Microsoft.Extensions.AI;

namespace Awaaz.Server.Tests.Voice.Cloud;

public sealed class OpenAiChatClientTests : IAsyncLifetime
{
    private FakeOpenAi _fake = null!;
    private readonly List<TimeSpan> _retryDelays = [];

    public async ValueTask InitializeAsync() => _fake = await FakeOpenAi.StartAsync();
    public async ValueTask DisposeAsync() => await _fake.DisposeAsync();

    private OpenAiChatClient Client(Func<OpenAiChatSettings, OpenAiChatSettings>? change = null, string? key = null)
    {
        var settings = new OpenAiChatSettings
        {
            ApiKey = key ?? FakeOpenAi.Key,
            BaseUrl = new Uri(_fake.BaseUrl),
            Model = "gpt-fake",
            Delay = (delay, _) => { lock (_retryDelays) _retryDelays.Add(delay); return Task.CompletedTask; },
        };
        return new OpenAiChatClient(change is null ? settings : change(settings));
    }

    private static readonly ChatMessage[] Hello = [new(ChatRole.System, "You are a helpful agent."), new(ChatRole.User, "Namaste")];

    private static async Task<(List<ChatResponseUpdate> Updates, Exception? Error)> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (var update in stream.WithCancellation(Waits.Soon())) updates.Add(update);
            return (updates, null);
        }
        catch (Exception e)
        {
            return (updates, e);
        }
    }

    [Fact]
    public async Task Streams_text_pieces_in_order_with_the_configured_model_and_temperature()
    {
        _fake.Enqueue(FakeOpenAi.Text("Namaste", ", main", " Awaaz hoon."));
        using var client = Client(s => s with { Temperature = 0.3f });

        var (updates, error) = await CollectAsync(client.GetStreamingResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));

        error.ShouldBeNull();
        updates.Where(u => u.Text.Length > 0).Select(u => u.Text).ShouldBe(["Namaste", ", main", " Awaaz hoon."]);
        updates.Single(u => u.FinishReason is not null).FinishReason.ShouldBe(ChatFinishReason.Stop);
        updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details.TotalTokenCount.ShouldBe(17);

        var body = _fake.Requests.Single().Body;
        body["model"]!.GetValue<string>().ShouldBe("gpt-fake");
        body["stream"]!.GetValue<bool>().ShouldBeTrue();
        body["temperature"]!.GetValue<double>().ShouldBe(0.3, 1e-6);
        body["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.ToJsonString()))
            .ShouldBe([("system", "\"You are a helpful agent.\""), ("user", "\"Namaste\"")]);
    }

    [Fact]
    public async Task Call_options_override_model_and_temperature_and_instructions_lead_the_messages()
    {
        _fake.Enqueue(FakeOpenAi.Text("ok"));
        using var client = Client(s => s with { Temperature = 0.3f });

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")],
            new ChatOptions { ModelId = "llama-3.1-8b", Temperature = 0.9f, MaxOutputTokens = 64, Instructions = "Be brief." },
            TestContext.Current.CancellationToken);

        response.Text.ShouldBe("ok");
        var body = _fake.Requests.Single().Body;
        body["model"]!.GetValue<string>().ShouldBe("llama-3.1-8b");
        body["temperature"]!.GetValue<double>().ShouldBe(0.9, 1e-6);
        body["messages"]![0]!["role"]!.GetValue<string>().ShouldBe("system");
        body["messages"]![0]!["content"]!.ToJsonString().ShouldContain("Be brief.");
    }

    [Fact]
    public async Task A_custom_base_url_is_where_requests_go()
    {
        _fake.Enqueue(FakeOpenAi.Text("from groq-like path"));
        using var client = Client(s => s with { BaseUrl = new Uri(_fake.ServerUrl + "/openai/v1") });

        var response = await client.GetResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);

        response.Text.ShouldBe("from groq-like path");
        _fake.Requests.Single().Path.ShouldBe("/openai/v1/chat/completions");
    }

    [Fact]
    public async Task A_streamed_tool_call_comes_back_whole_and_its_result_goes_back_to_the_model()
    {
        var lookup = AIFunctionFactory.Create((string city) => $"31°C in {city}", "get_weather", "Current weather of a city");
        var options = new ChatOptions { Tools = [lookup] };
        _fake.Enqueue(
            FakeOpenAi.ToolCall("call_42", "get_weather", "{\"ci", "ty\": \"Pu", "ne\"}"),
            FakeOpenAi.Text("Pune mein 31 degree hai."));
        using var client = Client();

        var (updates, error) = await CollectAsync(client.GetStreamingResponseAsync(Hello, options, TestContext.Current.CancellationToken));

        error.ShouldBeNull();
        var call = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        (call.CallId, call.Name).ShouldBe(("call_42", "get_weather"));
        call.Exception.ShouldBeNull();
        call.Arguments!["city"]!.ToString().ShouldBe("Pune");
        updates.Single(u => u.FinishReason is not null).FinishReason.ShouldBe(ChatFinishReason.ToolCalls);

        var first = _fake.Requests[0].Body;
        var tool = first["tools"]!.AsArray().ShouldHaveSingleItem()!;
        tool["type"]!.GetValue<string>().ShouldBe("function");
        tool["function"]!["name"]!.GetValue<string>().ShouldBe("get_weather");
        tool["function"]!["description"]!.GetValue<string>().ShouldBe("Current weather of a city");
        tool["function"]!["parameters"]!["properties"]!["city"]!["type"]!.GetValue<string>().ShouldBe("string");
        first["tool_choice"]!.GetValue<string>().ShouldBe("auto");

        var result = await lookup.InvokeAsync(new AIFunctionArguments(call.Arguments), TestContext.Current.CancellationToken);
        List<ChatMessage> history = [.. Hello, new(ChatRole.Assistant, [call]), new(ChatRole.Tool, [new FunctionResultContent(call.CallId, result)])];
        var answer = await client.GetResponseAsync(history, options, TestContext.Current.CancellationToken);

        answer.Text.ShouldBe("Pune mein 31 degree hai.");
        var messages = _fake.Requests[1].Body["messages"]!.AsArray();
        var assistant = messages[2]!;
        assistant["role"]!.GetValue<string>().ShouldBe("assistant");
        var sentCall = assistant["tool_calls"]![0]!;
        sentCall["id"]!.GetValue<string>().ShouldBe("call_42");
        sentCall["function"]!["name"]!.GetValue<string>().ShouldBe("get_weather");
        JsonNode.Parse(sentCall["function"]!["arguments"]!.GetValue<string>())!["city"]!.GetValue<string>().ShouldBe("Pune");
        var toolMessage = messages[3]!;
        toolMessage["role"]!.GetValue<string>().ShouldBe("tool");
        toolMessage["tool_call_id"]!.GetValue<string>().ShouldBe("call_42");
        toolMessage["content"]!.GetValue<string>().ShouldBe("31°C in Pune");
    }

    [Fact]
    public async Task A_required_tool_mode_names_the_function()
    {
        _fake.Enqueue(FakeOpenAi.ToolCall("call_1", "end_call", "{}"));
        using var client = Client();
        var endCall = AIFunctionFactory.CreateDeclaration("end_call", "Hang up", JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement);

        var response = await client.GetResponseAsync(Hello, new ChatOptions { Tools = [endCall], ToolMode = ChatToolMode.RequireSpecific("end_call") },
            TestContext.Current.CancellationToken);

        response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem().Arguments.ShouldBeEmpty();
        _fake.Requests.Single().Body["tool_choice"]!["function"]!["name"]!.GetValue<string>().ShouldBe("end_call");
    }

    [Fact]
    public async Task A_rejected_key_is_an_authentication_error_without_retries_or_the_key()
    {
        using var client = Client(key: "sk-wrong-key-abcdefghijkl");

        var (updates, error) = await CollectAsync(client.GetStreamingResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));

        updates.ShouldBeEmpty();
        var failure = error.ShouldBeOfType<CloudProviderException>();
        failure.Kind.ShouldBe(CloudProviderErrorKind.Authentication);
        failure.StatusCode.ShouldBe(401);
        failure.Message.ShouldContain("invalid_api_key");
        failure.Message.ShouldNotContain("sk-wrong-key-abcdefghijkl");
        failure.Message.ShouldNotContain("abcdefghijkl");
        _fake.Requests.Count.ShouldBe(1);
        _retryDelays.ShouldBeEmpty();
    }

    [Fact]
    public async Task Rate_limits_are_retried_after_the_delay_the_vendor_names()
    {
        _fake.Enqueue(
            FakeOpenAi.Error(429, "rate_limit_exceeded", "slow down", ("retry-after-ms", "250")),
            FakeOpenAi.Error(429, "rate_limit_exceeded", "slow down", ("Retry-After", "2")),
            FakeOpenAi.Text("finally"));
        using var client = Client();

        var response = await client.GetResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);

        response.Text.ShouldBe("finally");
        _fake.Requests.Count.ShouldBe(3);
        _retryDelays.ShouldBe([TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2)]);
    }

    [Fact]
    public async Task Rate_limits_beyond_the_retry_budget_fail_as_rate_limited()
    {
        for (var i = 0; i < 5; i++) _fake.Enqueue(FakeOpenAi.Error(429, "rate_limit_exceeded", "slow down", ("retry-after-ms", "10")));
        using var client = Client(s => s with { MaxRetries = 2 });

        var (_, error) = await CollectAsync(client.GetStreamingResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));

        var failure = error.ShouldBeOfType<CloudProviderException>();
        failure.Kind.ShouldBe(CloudProviderErrorKind.RateLimited);
        failure.RetryAfter.ShouldBe(TimeSpan.FromMilliseconds(10));
        _fake.Requests.Count.ShouldBe(3);
        _retryDelays.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_retry_after_longer_than_a_caller_can_wait_fails_at_once()
    {
        _fake.Enqueue(FakeOpenAi.Error(429, "rate_limit_exceeded", "quota", ("Retry-After", "120")), FakeOpenAi.Text("never"));
        using var client = Client();

        var (_, error) = await CollectAsync(client.GetStreamingResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));

        var failure = error.ShouldBeOfType<CloudProviderException>();
        failure.Kind.ShouldBe(CloudProviderErrorKind.RateLimited);
        failure.RetryAfter.ShouldBe(TimeSpan.FromSeconds(120));
        _fake.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_and_bad_requests_are_not()
    {
        _fake.Enqueue(FakeOpenAi.Error(503, "overloaded", "try later"), FakeOpenAi.Text("recovered"), FakeOpenAi.Error(400, "context_length_exceeded", "too long"));
        using var client = Client(s => s with { RetryBaseDelay = TimeSpan.FromMilliseconds(100) });

        (await client.GetResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken)).Text.ShouldBe("recovered");
        _retryDelays.ShouldBe([TimeSpan.FromMilliseconds(100)]);

        var (_, error) = await CollectAsync(client.GetStreamingResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));
        var failure = error.ShouldBeOfType<CloudProviderException>();
        failure.Kind.ShouldBe(CloudProviderErrorKind.Rejected);
        failure.Message.ShouldContain("context_length_exceeded: too long");
        _fake.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_slow_first_byte_is_waited_for()
    {
        var release = new TaskCompletionSource();
        _fake.Enqueue(FakeOpenAi.After(release.Task, FakeOpenAi.Text("late", " but whole")));
        using var client = Client();

        var pending = client.GetResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken);
        await _fake.NextRequestAsync(); // the request is in; no byte of the response is
        pending.IsCompleted.ShouldBeFalse();
        release.SetResult();

        (await pending).Text.ShouldBe("late but whole");
    }

    [Fact]
    public async Task No_first_chunk_within_the_limit_is_a_timeout()
    {
        var release = new TaskCompletionSource();
        _fake.Enqueue(FakeOpenAi.After(release.Task, FakeOpenAi.Text("too late")));
        using var client = Client(s => s with { FirstChunkTimeout = TimeSpan.FromMilliseconds(300), MaxRetries = 0 });

        var (updates, error) = await CollectAsync(client.GetStreamingResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));
        release.SetResult();

        updates.ShouldBeEmpty();
        error.ShouldBeOfType<CloudProviderException>().Kind.ShouldBe(CloudProviderErrorKind.Timeout);
    }

    [Fact]
    public async Task A_stream_that_stalls_after_output_is_a_timeout()
    {
        var release = new TaskCompletionSource();
        _fake.Enqueue(FakeOpenAi.Dropped(FakeOpenAi.TextChunks("Ruk", "iye"), release.Task));
        using var client = Client(s => s with { IdleTimeout = TimeSpan.FromMilliseconds(300) });

        var (updates, error) = await CollectAsync(client.GetStreamingResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));
        release.SetResult();

        string.Concat(updates.Select(u => u.Text)).ShouldBe("Rukiye");
        var failure = error.ShouldBeOfType<CloudProviderException>();
        failure.Kind.ShouldBe(CloudProviderErrorKind.Timeout);
        failure.Message.ShouldContain("no streamed chunk");
    }

    [Fact]
    public async Task A_stream_dropped_mid_tool_call_is_interrupted_and_passes_on_no_partial_call()
    {
        var firstTextSeen = new TaskCompletionSource();
        _fake.Enqueue(FakeOpenAi.Dropped(FakeOpenAi.TextChunks("Ek second")
            .Concat(FakeOpenAi.ToolCallChunks("call_7", "transfer_call", "{\"to\": \"+9180")), firstTextSeen.Task));
        using var client = Client();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string to) => to, "transfer_call")] };

        var updates = new List<ChatResponseUpdate>();
        var error = await Should.ThrowAsync<CloudProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Hello, options).WithCancellation(Waits.Soon()))
            {
                updates.Add(update);
                if (update.Text.Length > 0) firstTextSeen.TrySetResult();
            }
        });

        error.Kind.ShouldBe(CloudProviderErrorKind.Interrupted);
        error.Message.ShouldContain("partial response was dropped");
        updates.Select(u => u.Text).ShouldContain("Ek second");
        updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ShouldBeEmpty();
        updates.ShouldAllBe(u => u.FinishReason == null);
        _fake.Requests.Count.ShouldBe(1); // output had started: never retried
    }

    [Fact]
    public async Task A_stream_dropped_before_any_chunk_is_retried_transparently()
    {
        _fake.Enqueue(FakeOpenAi.Dropped([]), FakeOpenAi.Text("second try"));
        using var client = Client();

        (await client.GetResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken)).Text.ShouldBe("second try");
        _fake.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_stream_that_ends_without_a_finish_reason_is_interrupted()
    {
        _fake.Enqueue(FakeOpenAi.Truncated(FakeOpenAi.TextChunks("Aapka order")));
        using var client = Client();

        var (updates, error) = await CollectAsync(client.GetStreamingResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));

        error.ShouldBeOfType<CloudProviderException>().Kind.ShouldBe(CloudProviderErrorKind.Interrupted);
        updates.ShouldAllBe(u => u.FinishReason == null);
    }

    [Fact]
    public async Task Losing_only_the_trailing_done_after_the_finish_keeps_the_answer()
    {
        var finishSeen = new TaskCompletionSource();
        _fake.Enqueue(FakeOpenAi.Dropped(FakeOpenAi.TextChunks("Dhanyavaad").Append(FakeOpenAi.FinishChunk("stop")), finishSeen.Task));
        using var client = Client();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Hello).WithCancellation(Waits.Soon()))
        {
            updates.Add(update);
            if (update.FinishReason is not null) finishSeen.TrySetResult();
        }

        string.Concat(updates.Select(u => u.Text)).ShouldBe("Dhanyavaad");
        updates.Last().FinishReason.ShouldBe(ChatFinishReason.Stop);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_unavailable_after_the_bounded_retries()
    {
        var closedPort = new Uri(_fake.BaseUrl).Port;
        await _fake.DisposeAsync();
        using var client = Client(s => s with { BaseUrl = new Uri($"http://127.0.0.1:{closedPort}/v1"), MaxRetries = 1 });

        var (_, error) = await CollectAsync(client.GetStreamingResponseAsync(Hello, cancellationToken: TestContext.Current.CancellationToken));

        error.ShouldBeOfType<CloudProviderException>().Kind.ShouldBe(CloudProviderErrorKind.Unavailable);
        _retryDelays.Count.ShouldBe(1);
        _fake = await FakeOpenAi.StartAsync();
    }

    [Fact]
    public void Metadata_names_the_provider_endpoint_and_model()
    {
        using var client = Client(s => s with { ProviderName = "groq" });

        var metadata = client.GetService<ChatClientMetadata>().ShouldNotBeNull();

        (metadata.ProviderName, metadata.DefaultModelId, metadata.ProviderUri).ShouldBe(("groq", "gpt-fake", new Uri(_fake.BaseUrl)));
    }
}
