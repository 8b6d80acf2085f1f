using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Awaaz.Server.Voice.Dialogue;

/// <summary>
/// An offline, deterministic conversation: steps that say something, wait for an answer, recognise it by keywords
/// (intents) or capture it into a variable, and move on; a step may end the call or transfer it (and go on at
/// <c>next</c> when the transfer fails). Written as JSON in the agent's
/// prompt (inside a <c>```awaaz-script</c> block, or as the whole prompt). Honestly a script, not an LLM.
/// </summary>
/// <example><code>
/// {"steps":[
///   {"id":"ask","say":"Hello {{callee_name}}, what is your city?","capture":{"variable":"city","phrases":["mumbai","delhi","pune"]},"next":"confirm"},
///   {"id":"confirm","say":"You said {{city}}. Is that right?","intents":{"yes":["yes","haan","correct"],"no":["no","nahin"]},"routes":{"yes":"bye","no":"ask"}},
///   {"id":"bye","say":"Thank you, goodbye.","end":true}]}
/// </code></example>
public sealed record DialogueScript(IReadOnlyList<DialogueStep> Steps, string? Fallback)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The first step.</summary>
    public DialogueStep Start => Steps[0];

    public DialogueStep? Find(string id) => Steps.FirstOrDefault(s => s.Id == id);

    /// <summary>Every phrase the caller is expected to say (for grammar-based recognizers).</summary>
    public IReadOnlyList<string> Phrases => Steps.SelectMany(s => (s.Capture?.Phrases ?? []).Concat(s.Intents?.Values.SelectMany(v => v) ?? []))
        .Select(p => p.ToLowerInvariant()).Distinct().ToList();

    public static bool TryParse(string prompt, out DialogueScript? script, out string? error)
    {
        script = null;
        error = null;
        var match = Regex.Match(prompt, "```awaaz-script\\s*(?<json>\\{.*?\\})\\s*```", RegexOptions.Singleline);
        var json = match.Success ? match.Groups["json"].Value : prompt.TrimStart().StartsWith('{') ? prompt : null;
        if (json is null) { error = "no ```awaaz-script block in the prompt"; return false; }
        try
        {
            var raw = JsonSerializer.Deserialize<RawScript>(json, Json);
            if (raw?.Steps is not { Count: > 0 }) { error = "the script has no steps"; return false; }
            var ids = new HashSet<string>();
            foreach (var step in raw.Steps)
            {
                if (string.IsNullOrWhiteSpace(step.Id) || !ids.Add(step.Id)) { error = $"step ids must be unique and non-empty ({step.Id})"; return false; }
                if (string.IsNullOrWhiteSpace(step.Say) && !step.Transfer) { error = $"step {step.Id} says nothing"; return false; }
                if (step.Transfer && step.End) { error = $"step {step.Id} cannot both end and transfer the call"; return false; }
                if (step.Transfer && step.Next is null) { error = $"step {step.Id} transfers the call and needs next (where to go on if the transfer fails)"; return false; }
            }
            foreach (var step in raw.Steps)
                foreach (var target in (step.Routes?.Values ?? []).Append(step.Next).OfType<string>())
                    if (!ids.Contains(target)) { error = $"step {step.Id} goes to unknown step {target}"; return false; }
            script = new DialogueScript(raw.Steps.Select(s => s with { Say = s.Say ?? "" }).ToList(), raw.Fallback);
            return true;
        }
        catch (JsonException ex)
        {
            error = "the script is not valid JSON: " + ex.Message;
            return false;
        }
    }

    private sealed record RawScript(List<DialogueStep>? Steps, string? Fallback);
}

public sealed record DialogueCapture(string Variable, IReadOnlyList<string>? Phrases);

public sealed record DialogueStep(
    string Id,
    string Say,
    DialogueCapture? Capture = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Intents = null,
    IReadOnlyDictionary<string, string>? Routes = null,
    string? Next = null,
    bool End = false,
    bool Transfer = false)
{
    /// <summary>The step waits for the caller (it neither ends nor transfers the call).</summary>
    [JsonIgnore]
    public bool ExpectsAnswer => !End && !Transfer;
}
