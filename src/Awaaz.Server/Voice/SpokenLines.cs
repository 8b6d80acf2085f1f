namespace Awaaz.Server.Voice;

/// <summary>Platform lines the agent says on its own (not from the agent's configuration), in the call's language when we have it.</summary>
public static class SpokenLines
{
    private static readonly Dictionary<string, string> WrapUpLines = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = "Just so you know, we have about thirty seconds left on this call.",
        ["hi"] = "बस बता दूँ, इस कॉल में लगभग तीस सेकंड बचे हैं।",
    };

    /// <summary>Said 30 s before the call's cap.</summary>
    public static string WrapUp(string language) => For(WrapUpLines, language);

    private static string For(Dictionary<string, string> lines, string language)
    {
        var primary = language.Split('-', '_')[0];
        return lines.GetValueOrDefault(primary) ?? lines["en"];
    }
}
