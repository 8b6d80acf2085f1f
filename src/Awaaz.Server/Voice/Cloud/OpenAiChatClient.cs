using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;
using AiFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using AiResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat;
using OpenAiChatMessage = OpenAI.Chat.ChatMessage;
using OpenAiFinishReason = OpenAI.Chat.ChatFinishReason;

namespace Awaaz.Server.Voice.Cloud;

/// <summary>Settings of one OpenAI-compatible chat endpoint (OpenAI, Azure OpenAI v1, Groq, Ollama, vLLM, Sarvam…).</summary>
public sealed record OpenAiChatSettings
{
    public const string DefaultBaseUrl = "https://api.openai.com/v1";

    public required string ApiKey { get; init; }

    /// <summary>The URL that <c>/chat/completions</c> is appended to, e.g. <c>https://api.groq.com/openai/v1</c>.</summary>
    public Uri BaseUrl { get; init; } = new(DefaultBaseUrl);

    public string Model { get; init; } = "gpt-4o-mini";

    /// <summary>Used when a call's <see cref="ChatOptions.Temperature"/> is not set.</summary>
    public float? Temperature { get; init; }

    /// <summary>Name in errors and metadata.</summary>
    public string ProviderName { get; init; } = "openai";

    /// <summary>Retries of a request answered 408/429/5xx or not answered at all, before any update was passed on.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>A vendor asking to wait longer than this fails the call at once instead (a caller is on the line).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Backoff of the first retry when the vendor names no delay; doubles per retry.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>From sending the request to the first streamed chunk.</summary>
    public TimeSpan FirstChunkTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Between two streamed chunks.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Waits between retries; tests replace it to record the delays instead of sleeping.</summary>
    internal Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;
}

/// <summary>
/// <see cref="IChatClient"/> over the OpenAI .NET SDK's <see cref="ChatClient"/> for any OpenAI-compatible
/// <c>/chat/completions</c> endpoint: streamed text, streamed tool calls (emitted whole, once their arguments
/// are complete), bounded retries of 408/429/5xx honouring <c>retry-after-ms</c>/<c>Retry-After</c>, and
/// first-chunk/idle timeouts. Every failure is a <see cref="CloudProviderException"/>.
/// </summary>
public sealed class OpenAiChatClient : IChatClient
{
    private readonly OpenAiChatSettings _settings;
    private readonly OpenAIClient _client;
    private readonly ConcurrentDictionary<string, ChatClient> _chatClients = new(StringComparer.Ordinal);
    private readonly ChatClientMetadata _metadata;

    public OpenAiChatClient(OpenAiChatSettings settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.ApiKey);
        _settings = settings;
        _client = new OpenAIClient(new ApiKeyCredential(settings.ApiKey), new OpenAIClientOptions
        {
            Endpoint = settings.BaseUrl,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0), // retries are ours: bounded, and never after output
            NetworkTimeout = settings.FirstChunkTimeout + settings.IdleTimeout + TimeSpan.FromMinutes(5),
            UserAgentApplicationId = "awaaz",
        });
        _metadata = new ChatClientMetadata(settings.ProviderName, settings.BaseUrl, settings.Model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? _settings.Model;
        var chat = _chatClients.GetOrAdd(model, m => _client.GetChatClient(m));
        var request = ToOpenAiMessages(messages, options).ToList();
        var completionOptions = ToOpenAiOptions(options);

        using var watchdog = new StreamWatchdog(cancellationToken);
        await using var stream = await OpenStreamAsync(chat, request, completionOptions, watchdog);
        var toolCalls = new SortedDictionary<int, ToolCallBuilder>();
        var finished = false;
        var update = stream.Current;
        while (true)
        {
            foreach (var converted in Convert(update, toolCalls, model))
            {
                finished |= converted.FinishReason is not null;
                yield return converted;
            }

            watchdog.Arm(_settings.IdleTimeout);
            var next = await NextAsync(stream, watchdog, finished);
            if (next is null) break;
            update = next;
        }

        if (!finished)
            throw new CloudProviderException(_settings.ProviderName, CloudProviderErrorKind.Interrupted,
                "the response stream ended before a finish_reason; the partial response was dropped");
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType == typeof(ChatClient) ? _chatClients.GetOrAdd(_settings.Model, m => _client.GetChatClient(m))
        : null;

    public void Dispose() { }

    /// <summary>Sends the request (retrying before any output) and returns the enumerator on its first update.</summary>
    private async Task<IAsyncEnumerator<StreamingChatCompletionUpdate>> OpenStreamAsync(
        ChatClient chat, List<OpenAiChatMessage> request, ChatCompletionOptions options, StreamWatchdog watchdog)
    {
        for (var attempt = 0; ; attempt++)
        {
            watchdog.Arm(_settings.FirstChunkTimeout);
            var stream = chat.CompleteChatStreamingAsync(request, options, watchdog.Token).GetAsyncEnumerator(watchdog.Token);
            Exception failure;
            try
            {
                if (await stream.MoveNextAsync()) return stream;
                failure = new CloudProviderException(_settings.ProviderName, CloudProviderErrorKind.Interrupted, "the response stream was empty");
            }
            catch (Exception e)
            {
                failure = e;
            }

            await stream.DisposeAsync();
            var error = Translate(failure, watchdog, outputStarted: false);
            var delay = RetryDelay(error, attempt);
            if (delay is null) throw error;
            await _settings.Delay(delay.Value, watchdog.CallerToken);
        }
    }

    private async Task<StreamingChatCompletionUpdate?> NextAsync(IAsyncEnumerator<StreamingChatCompletionUpdate> stream, StreamWatchdog watchdog, bool finished)
    {
        try
        {
            return await stream.MoveNextAsync() ? stream.Current : null;
        }
        catch (Exception) when (finished && !watchdog.CallerToken.IsCancellationRequested)
        {
            return null; // the answer was complete; only the trailing usage chunk or [DONE] was lost
        }
        catch (Exception e)
        {
            throw Translate(e, watchdog, outputStarted: true);
        }
    }

    /// <summary>How long to wait before the next attempt, or null when the error is final.</summary>
    private TimeSpan? RetryDelay(Exception error, int attempt)
    {
        if (error is not CloudProviderException { Kind: CloudProviderErrorKind.RateLimited or CloudProviderErrorKind.Unavailable } e
            || attempt >= _settings.MaxRetries)
            return null;
        if (e.RetryAfter is { } asked) return asked <= _settings.MaxRetryDelay ? asked : null;
        var backoff = _settings.RetryBaseDelay * Math.Pow(2, attempt);
        return backoff < _settings.MaxRetryDelay ? backoff : _settings.MaxRetryDelay;
    }

    private Exception Translate(Exception e, StreamWatchdog watchdog, bool outputStarted)
    {
        var provider = _settings.ProviderName;
        if (e is CloudProviderException) return e;
        if (watchdog.CallerToken.IsCancellationRequested) return new OperationCanceledException(watchdog.CallerToken);
        if (watchdog.Expired)
            return new CloudProviderException(provider, CloudProviderErrorKind.Timeout, outputStarted
                ? $"no streamed chunk for {watchdog.Limit.TotalSeconds:0.###} s"
                : $"no response within {watchdog.Limit.TotalSeconds:0.###} s", e);
        if (e is ClientResultException { Status: > 0 } http)
        {
            var response = http.GetRawResponse();
            var detail = ErrorDetail(response);
            var status = http.Status;
            return status switch
            {
                401 or 403 => new CloudProviderException(provider, CloudProviderErrorKind.Authentication,
                    $"the API key was rejected (HTTP {status}{detail}); check the configured key", e) { StatusCode = status },
                429 => new CloudProviderException(provider, CloudProviderErrorKind.RateLimited, $"rate limited (HTTP 429{detail})", e)
                    { StatusCode = status, RetryAfter = RetryAfter(response) },
                408 or >= 500 => new CloudProviderException(provider, CloudProviderErrorKind.Unavailable, $"HTTP {status}{detail}", e)
                    { StatusCode = status, RetryAfter = RetryAfter(response) },
                _ => new CloudProviderException(provider, CloudProviderErrorKind.Rejected, $"request rejected (HTTP {status}{detail})", e) { StatusCode = status },
            };
        }

        return outputStarted || e is IOException || e.InnerException is IOException
            ? new CloudProviderException(provider, outputStarted ? CloudProviderErrorKind.Interrupted : CloudProviderErrorKind.Unavailable,
                outputStarted ? "the response stream broke off; the partial response was dropped" : $"could not read a response ({e.GetType().Name})", e)
            : new CloudProviderException(provider, CloudProviderErrorKind.Unavailable, $"could not reach {_settings.BaseUrl.Host} ({e.GetType().Name}: {e.Message})", e);
    }

    /// <summary><c>: code: message</c> from an OpenAI-style error body, without echoing credentials.</summary>
    private string ErrorDetail(PipelineResponse? response)
    {
        if (response is null) return "";
        try
        {
            using var doc = JsonDocument.Parse(response.Content.ToMemory());
            if (!doc.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object) return "";
            var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            if (response.Status is 401 or 403) message = null; // vendors echo (parts of) the key here
            var text = string.Join(": ", new[] { code, message }.Where(s => !string.IsNullOrEmpty(s)));
            text = text.Replace(_settings.ApiKey, "***", StringComparison.Ordinal);
            return text.Length == 0 ? "" : ": " + (text.Length > 300 ? text[..300] + "…" : text);
        }
        catch (Exception)
        {
            return "";
        }
    }

    private static TimeSpan? RetryAfter(PipelineResponse? response)
    {
        if (response is null) return null;
        if (response.Headers.TryGetValue("retry-after-ms", out var ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
            return TimeSpan.FromMilliseconds(milliseconds);
        if (response.Headers.TryGetValue("Retry-After", out var value) && value is not null)
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                return TimeSpan.FromSeconds(seconds);
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                return at > DateTimeOffset.UtcNow ? at - DateTimeOffset.UtcNow : TimeSpan.Zero;
        }

        return null;
    }

    private IEnumerable<ChatResponseUpdate> Convert(StreamingChatCompletionUpdate update, SortedDictionary<int, ToolCallBuilder> toolCalls, string model)
    {
        var contents = new List<AIContent>();
        foreach (var part in update.ContentUpdate)
            if (!string.IsNullOrEmpty(part.Text)) contents.Add(new TextContent(part.Text));
        foreach (var part in update.RefusalUpdate is { Length: > 0 } refusal ? [refusal] : Array.Empty<string>())
            contents.Add(new TextContent(part));

        foreach (var call in update.ToolCallUpdates)
        {
            if (!toolCalls.TryGetValue(call.Index, out var builder)) toolCalls[call.Index] = builder = new ToolCallBuilder();
            if (!string.IsNullOrEmpty(call.ToolCallId)) builder.Id = call.ToolCallId;
            if (!string.IsNullOrEmpty(call.FunctionName)) builder.Name = call.FunctionName;
            if (call.FunctionArgumentsUpdate is { } args && !args.IsEmpty) builder.Arguments.Append(args.ToString());
        }

        AiFinishReason? finish = update.FinishReason is { } reason ? ToFinishReason(reason) : null;
        if (finish is not null)
        {
            foreach (var (index, call) in toolCalls)
                contents.Add(FunctionCallContent.CreateFromParsedArguments(
                    call.Arguments.Length == 0 ? "{}" : call.Arguments.ToString(),
                    call.Id ?? $"call_{index}", call.Name ?? "", ParseArguments));
            toolCalls.Clear();
        }

        if (update.Usage is { } usage)
            contents.Add(new UsageContent(new UsageDetails
            {
                InputTokenCount = usage.InputTokenCount,
                OutputTokenCount = usage.OutputTokenCount,
                TotalTokenCount = usage.TotalTokenCount,
            }));

        if (contents.Count == 0 && finish is null) yield break;
        yield return new ChatResponseUpdate(AiChatRole.Assistant, contents)
        {
            ResponseId = update.CompletionId,
            MessageId = update.CompletionId,
            CreatedAt = update.CreatedAt == default ? null : update.CreatedAt,
            ModelId = update.Model ?? model,
            FinishReason = finish,
            RawRepresentation = update,
        };
    }

    private static IDictionary<string, object?>? ParseArguments(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, object?>>(json, AIJsonUtilities.DefaultOptions);

    private static AiFinishReason ToFinishReason(OpenAiFinishReason reason) => reason switch
    {
        OpenAiFinishReason.Stop => AiFinishReason.Stop,
        OpenAiFinishReason.Length => AiFinishReason.Length,
        OpenAiFinishReason.ToolCalls or OpenAiFinishReason.FunctionCall => AiFinishReason.ToolCalls,
        OpenAiFinishReason.ContentFilter => AiFinishReason.ContentFilter,
        _ => new AiFinishReason(reason.ToString()),
    };

    private static IEnumerable<OpenAiChatMessage> ToOpenAiMessages(IEnumerable<AiChatMessage> messages, ChatOptions? options)
    {
        if (!string.IsNullOrEmpty(options?.Instructions)) yield return new SystemChatMessage(options.Instructions);
        foreach (var message in messages)
        {
            if (message.Role == AiChatRole.System)
                yield return new SystemChatMessage(message.Text);
            else if (message.Role == AiChatRole.User)
                yield return new UserChatMessage(message.Text);
            else if (message.Role == AiChatRole.Assistant)
            {
                var calls = message.Contents.OfType<FunctionCallContent>()
                    .Select(c => ChatToolCall.CreateFunctionToolCall(c.CallId, c.Name,
                        BinaryData.FromString(JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions))))
                    .ToList();
                if (calls.Count == 0)
                {
                    yield return new AssistantChatMessage(message.Text);
                    continue;
                }

                var assistant = new AssistantChatMessage(calls);
                if (!string.IsNullOrEmpty(message.Text)) assistant.Content.Add(ChatMessageContentPart.CreateTextPart(message.Text));
                yield return assistant;
            }
            else if (message.Role == AiChatRole.Tool)
            {
                foreach (var result in message.Contents.OfType<FunctionResultContent>())
                    yield return new ToolChatMessage(result.CallId, result.Result switch
                    {
                        null => "",
                        string text => text,
                        JsonElement { ValueKind: JsonValueKind.String } text => text.GetString() ?? "",
                        var other => JsonSerializer.Serialize(other, AIJsonUtilities.DefaultOptions),
                    });
            }
            else
                throw new NotSupportedException($"chat role '{message.Role}' has no OpenAI equivalent");
        }
    }

    private ChatCompletionOptions ToOpenAiOptions(ChatOptions? options)
    {
        var result = new ChatCompletionOptions
        {
            Temperature = options?.Temperature ?? _settings.Temperature,
            TopP = options?.TopP,
            MaxOutputTokenCount = options?.MaxOutputTokens,
            FrequencyPenalty = options?.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty,
        };
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the wire field is stable
        if (options?.Seed is { } seed) result.Seed = seed;
#pragma warning restore OPENAI001
        foreach (var stop in options?.StopSequences ?? []) result.StopSequences.Add(stop);
        foreach (var tool in options?.Tools ?? [])
        {
            if (tool is AIFunctionDeclaration function)
                result.Tools.Add(ChatTool.CreateFunctionTool(function.Name, function.Description,
                    BinaryData.FromString(function.JsonSchema.GetRawText())));
        }

        if (result.Tools.Count > 0)
        {
            result.ToolChoice = options?.ToolMode switch
            {
                NoneChatToolMode => ChatToolChoice.CreateNoneChoice(),
                RequiredChatToolMode { RequiredFunctionName: { } name } => ChatToolChoice.CreateFunctionChoice(name),
                RequiredChatToolMode => ChatToolChoice.CreateRequiredChoice(),
                _ => ChatToolChoice.CreateAutoChoice(),
            };
            if (options?.AllowMultipleToolCalls is { } parallel) result.AllowParallelToolCalls = parallel;
        }

        result.ResponseFormat = options?.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } json => OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(
                json.SchemaName ?? "response", BinaryData.FromString(schema.GetRawText()), json.SchemaDescription),
            ChatResponseFormatJson => OpenAI.Chat.ChatResponseFormat.CreateJsonObjectFormat(),
            _ => null,
        };
        return result;
    }

    private sealed class ToolCallBuilder
    {
        public string? Id;
        public string? Name;
        public readonly System.Text.StringBuilder Arguments = new();
    }
}

/// <summary>Cancels a stream when the caller cancels or when the current first-chunk/idle limit passes.</summary>
internal sealed class StreamWatchdog : IDisposable
{
    private readonly CancellationTokenSource _source;
    private volatile bool _expired;
    private ITimer? _timer;

    public StreamWatchdog(CancellationToken caller)
    {
        CallerToken = caller;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
    }

    public CancellationToken CallerToken { get; }
    public CancellationToken Token => _source.Token;
    public bool Expired => _expired;
    public TimeSpan Limit { get; private set; }

    /// <summary>(Re)starts the countdown.</summary>
    public void Arm(TimeSpan limit)
    {
        Limit = limit;
        _timer?.Dispose();
        _timer = TimeProvider.System.CreateTimer(_ =>
        {
            _expired = true;
            try { _source.Cancel(); } catch (ObjectDisposedException) { }
        }, null, limit, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _source.Dispose();
    }
}
