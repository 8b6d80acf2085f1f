using System.Text;

namespace Awaaz.Server.Voice.Offline;

/// <summary>
/// Splits text for speech into sentences, so that a synthesizer can speak the first one while the rest wait.
/// A sentence ends at <c>. ! ? …</c> or the Devanagari danda (<c>। ॥</c>) followed by a space, and at a line break;
/// common abbreviations (Mr., Dr., e.g.) and decimals (3.5) do not end one. Pieces longer than the limit are cut
/// at the last comma, semicolon or colon, else at the last space, before it.
/// </summary>
public static class SentenceSplitter
{
    public const int DefaultMaxLength = 200;

    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "e.g", "i.e", "smt", "shri",
    };

    public static IReadOnlyList<string> Split(string text, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 20);
        var sentences = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var start = 0;
            for (var i = 0; i < line.Length; i++)
            {
                if (!IsTerminator(line[i])) continue;
                var end = i + 1;
                while (end < line.Length && (IsTerminator(line[end]) || line[end] is '"' or '\'' or ')' or ']' or '”' or '’')) end++;
                if (end < line.Length && !char.IsWhiteSpace(line[end])) continue; // 3.5, example.com
                if (line[i] == '.' && end == i + 1 && IsAbbreviation(line, start, i)) continue;
                AddPiece(sentences, line[start..end], maxLength);
                start = end;
                i = end - 1;
            }
            AddPiece(sentences, line[start..], maxLength);
        }
        return sentences;
    }

    private static bool IsTerminator(char c) => c is '.' or '!' or '?' or '…' or '।' or '॥';

    private static bool IsAbbreviation(string line, int start, int dot)
    {
        var wordStart = dot;
        while (wordStart > start && !char.IsWhiteSpace(line[wordStart - 1])) wordStart--;
        return Abbreviations.Contains(line[wordStart..dot]);
    }

    private static void AddPiece(List<string> sentences, string piece, int maxLength)
    {
        var text = Collapse(piece);
        while (text.Length > maxLength)
        {
            var cut = text.LastIndexOfAny([',', ';', ':'], maxLength - 1);
            if (cut < maxLength / 4) cut = text.LastIndexOf(' ', maxLength - 1);
            if (cut <= 0) cut = maxLength - 1;
            sentences.Add(text[..(cut + 1)].Trim());
            text = text[(cut + 1)..].Trim();
        }
        if (text.Length > 0) sentences.Add(text);
    }

    private static string Collapse(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
            }
            else sb.Append(c);
        }
        return sb.ToString().Trim();
    }
}
