using System.Runtime.CompilerServices;
using Awaaz.Server.Agents;
using Awaaz.Server.Voice;
using Microsoft.Extensions.AI;

namespace Awaaz.VoiceBench;

/// <summary>
/// Benchmark double of a streaming LLM (provider name <c>fake</c>): the first token <see cref="FixedLatencyChatClient.FirstToken"/>
/// after the request, then the rest of a 1–2 sentence reply word by word without further delay.
/// </summary>
public sealed class FixedLatencyChatProvider : IChatClientProvider
{
    public string Name => "fake";

    public IChatClient Create(LlmPipeline llm, string promptTemplate, IReadOnlyDictionary<string, object?> variables) => new FixedLatencyChatClient();
}

public sealed class FixedLatencyChatClient : IChatClient
{
    public static readonly TimeSpan FirstToken = TimeSpan.FromMilliseconds(300);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken)) updates.Add(update);
        return updates.ToChatResponse();
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var userTurns = messages.Count(m => m.Role == ChatRole.User);
        var reply = BenchSpeech.Replies[Math.Max(0, userTurns - 1) % BenchSpeech.Replies.Length];
        await Task.Delay(FirstToken, cancellationToken);
        var first = true;
        foreach (var word in reply.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, first ? word : " " + word);
            first = false;
            await Task.Yield();
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
