using System.Text.RegularExpressions;

namespace Awaaz.Smartflo;

/// <summary>
/// Smartflo call ids come as <c>1739257917.28918</c>, <c>h3.08-1770534283.2156835</c> or
/// <c>HYD12-T7-1790683445.618022</c> (spec §12.1, quirk Q9). They are stored verbatim and compared by numeric core.
/// </summary>
public static partial class SmartfloCallId
{
    /// <summary>The numeric core, i.e. the match of <c>(\d{9,11}\.\d+)$</c>; <c>null</c> if the id has none.</summary>
    public static string? NumericCore(string? callId)
    {
        if (string.IsNullOrWhiteSpace(callId)) return null;
        var match = NumericCorePattern().Match(callId.Trim());
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>Two Smartflo ids are the same call if the full strings or their numeric cores are equal.</summary>
    public static bool AreSame(string? a, string? b)
    {
        if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b)) return false;
        if (string.Equals(a.Trim(), b.Trim(), StringComparison.Ordinal)) return true;
        var coreA = NumericCore(a);
        return coreA is not null && coreA == NumericCore(b);
    }

    /// <summary>The distinct forms an id is bound and indexed by: the full id and, if different, its numeric core.</summary>
    public static IReadOnlyList<string> BindingForms(string? callId)
    {
        if (string.IsNullOrWhiteSpace(callId)) return [];
        var full = callId.Trim();
        var core = NumericCore(full);
        return core is null || core == full ? [full] : [full, core];
    }

    [GeneratedRegex(@"(\d{9,11}\.\d+)$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex NumericCorePattern();
}
