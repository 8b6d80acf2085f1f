using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Awaaz.Server.Agents;

/// <summary>
/// <c>{{name}}</c> placeholders (partner-api.md §9.9) in <c>prompt</c>, <c>intro_message</c>,
/// <c>endCallMessage</c>, <c>transferMessage</c> and <c>voicemail_message</c>. Inner whitespace is
/// allowed; a missing variable becomes the empty string, never an error.
/// </summary>
public static partial class PromptTemplate
{
    [GeneratedRegex(@"\{\{\s*(?<name>[a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>Replaces every placeholder with the call's variable of that name (case-sensitive).</summary>
    public static string Render(string template, IReadOnlyDictionary<string, object?> variables) =>
        Placeholder().Replace(template, m => variables.TryGetValue(m.Groups["name"].Value, out var value) ? Format(value) : "");

    /// <summary><c>null</c> stays <c>null</c> (an optional message that is not set).</summary>
    public static string? RenderOptional(string? template, IReadOnlyDictionary<string, object?> variables) =>
        template is null ? null : Render(template, variables);

    /// <summary>Variables as sent in a JSON object (e.g. <c>POST /calls/start</c> <c>variables</c>).</summary>
    public static IReadOnlyDictionary<string, object?> VariablesFrom(JsonElement? json)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (json is { ValueKind: JsonValueKind.Object } obj)
            foreach (var property in obj.EnumerateObject()) result[property.Name] = property.Value;
        return result;
    }

    /// <summary>Strings as is; numbers in invariant form; booleans <c>true</c>/<c>false</c>; <c>null</c> empty; other JSON as compact JSON.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        JsonElement e => FormatJson(e),
        JsonNode n => FormatJson(JsonSerializer.SerializeToElement(n)),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string FormatJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => e.TryGetInt64(out var n) ? n.ToString(CultureInfo.InvariantCulture)
            : e.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        _ => e.GetRawText(),
    };
}
