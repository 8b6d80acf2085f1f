using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Awaaz.Server.Voice.Dialogue;

/// <summary>
/// The <c>scripted</c> LLM provider: an <see cref="IChatClient"/> that walks a <see cref="DialogueScript"/>. The
/// position in the script is derived from the conversation so far (every user message is matched against the step
/// it answered), so the client holds no state. Captures are reported as a <c>set_variable</c> function call, the
/// end of the script as an <c>end_call</c> function call, a transfer step as a <c>transfer_call</c> function call, exactly as
/// an LLM would use the agent's tools. A transfer's tool result in the conversation means the transfer did not happen
/// (a successful one ends the conversation): the script goes on at the transfer step's <c>next</c>.
/// </summary>
public sealed class ScriptedChatClient(DialogueScript script, IReadOnlyDictionary<string, object?> initialVariables) : IChatClient
{
    public const string SetVariable = "set_variable";
    public const string EndCall = "end_call";
    public const string TransferCall = "transfer_call";
    private static readonly string[] Retry = ["Sorry, I did not catch that."];

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken)) updates.Add(update);
        return updates.ToChatResponse();
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (step, variables, captured, understood) = Walk(Events(messages));
        foreach (var (name, value) in captured)
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent($"set-{name}", SetVariable, new Dictionary<string, object?> { ["name"] = name, ["value"] = value })]);
        var text = Agents.PromptTemplate.Render(understood ? step.Say : $"{(script.Fallback ?? Retry[0])} {step.Say}", variables).Trim();
        if (text.Length > 0) yield return new ChatResponseUpdate(ChatRole.Assistant, text);
        if (step.End)
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("end", EndCall, new Dictionary<string, object?>())]);
        if (step.Transfer)
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent($"transfer-{step.Id}", TransferCall, new Dictionary<string, object?> { ["reason"] = step.Id })]);
        await Task.CompletedTask;
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>What moves the script, in conversation order: the caller's answers (text) and transfers that did not happen (null).</summary>
    private static List<string?> Events(IEnumerable<ChatMessage> messages)
    {
        var transfers = new HashSet<string>();
        var events = new List<string?>();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.User) events.Add(message.Text ?? "");
            else if (message.Role == ChatRole.Assistant)
                foreach (var call in message.Contents.OfType<FunctionCallContent>().Where(c => c.Name == TransferCall)) transfers.Add(call.CallId);
            else if (message.Role == ChatRole.Tool && message.Contents.OfType<FunctionResultContent>().Any(r => transfers.Contains(r.CallId)))
                events.Add(null);
        }
        return events;
    }

    /// <summary>
    /// Replays the conversation through the script: the step to say next, the variables, what the last answer captured, and
    /// whether it was understood. <paramref name="events"/> are the caller's answers, and null where a transfer did not happen.
    /// </summary>
    public (DialogueStep Step, Dictionary<string, object?> Variables, List<(string, string)> Captured, bool Understood) Walk(IReadOnlyList<string?> events)
    {
        var variables = new Dictionary<string, object?>(initialVariables);
        var step = script.Start;
        var captured = new List<(string, string)>();
        var understood = true;
        foreach (var answer in events)
        {
            captured.Clear();
            if (step.End) break;
            if (answer is null)
            {
                if (step.Transfer) { step = script.Find(step.Next!) ?? step; understood = true; }
                continue;
            }
            if (step.Transfer) continue; // the caller spoke while being transferred: the transfer's outcome decides
            var (next, capture) = Advance(step, answer);
            understood = next is not null;
            if (capture is { } c) { variables[c.Name] = c.Value; captured.Add((c.Name, c.Value)); }
            if (next is not null) step = next;
        }
        return (step, variables, captured, understood);
    }

    private (DialogueStep? Next, (string Name, string Value)? Capture) Advance(DialogueStep step, string answer)
    {
        var words = Normalize(answer);
        if (step.Intents is { Count: > 0 })
        {
            foreach (var (intent, phrases) in step.Intents)
                if (phrases.Any(p => Contains(words, Normalize(p))))
                    return (script.Find(step.Routes?.GetValueOrDefault(intent) ?? step.Next ?? step.Id), null);
            return (null, null);
        }
        if (step.Capture is { } capture)
        {
            string? value = capture.Phrases is { Count: > 0 } phrases
                ? phrases.FirstOrDefault(p => Contains(words, Normalize(p)))
                : string.IsNullOrWhiteSpace(answer) ? null : answer.Trim();
            return value is null ? (null, null) : (step.Next is { } n ? script.Find(n) : step, (capture.Variable, value));
        }
        return (step.Next is { } nextId ? script.Find(nextId) : step, null);
    }

    private static string[] Normalize(string text) =>
        text.ToLowerInvariant().Split([' ', ',', '.', '!', '?', ';', ':', '-'], StringSplitOptions.RemoveEmptyEntries);

    private static bool Contains(string[] words, string[] phrase)
    {
        if (phrase.Length == 0) return false;
        for (var i = 0; i + phrase.Length <= words.Length; i++)
            if (phrase.AsSpan().SequenceEqual(words.AsSpan(i, phrase.Length))) return true;
        return false;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
