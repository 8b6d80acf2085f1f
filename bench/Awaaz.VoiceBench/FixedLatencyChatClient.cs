using System.Runtime.CompilerServices;
using Awaaz.Server.Agents;
using Awaaz.Server.Voice;
using Microsoft.Extensions.AI;

namespace Awaaz.VoiceBench;

/// <summary>
/// Benchmark double of a streaming LLM (provider name <c>fake</c>): a 1–2 sentence reply whose first update,
/// <see cref="FixedLatencyChatClient.FirstToken"/> after the request, is the whole first sentence and the space after it
/// (so the server can speak it at once: the fixed latency is the time to the first speakable sentence, and sentence
/// assembly is not counted as orchestration); the rest follows word by word without further delay.
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
        var firstSentence = reply.IndexOf(". ", StringComparison.Ordinal) is var end and > 0 ? reply[..(end + 2)] : reply;
        yield return new ChatResponseUpdate(ChatRole.Assistant, firstSentence);
        foreach (var word in reply[firstSentence.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ");
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
