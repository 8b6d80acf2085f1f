using System.Text;

namespace Awaaz.Server.Voice.Offline;

/// <summary>
/// Turns an agent's expected phrases into pocketsphinx words and a JSGF grammar that accepts exactly one of them.
/// Words are lower-cased; punctuation other than apostrophes separates words; numbers of up to four digits are
/// read as cardinals (<c>10</c> → <c>ten</c>, <c>1947</c> → <c>one thousand nine hundred forty seven</c>),
/// longer ones and ones with a leading zero digit by digit (<c>0471</c> → <c>zero four seven one</c>).
/// Tokens mixing letters and digits (<c>1st</c>) are kept as they are and so end up as unknown words.
/// </summary>
public sealed class PhraseGrammar
{
    public const string SearchName = "awaaz_phrases";

    private static readonly string[] Ones =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];

    private static readonly string[] Tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    private readonly Dictionary<string, string> _byWords;

    private PhraseGrammar(Dictionary<string, string> byWords) => _byWords = byWords;

    /// <summary>Word sequences (space-separated) the grammar accepts, in the order of the phrases.</summary>
    public IReadOnlyCollection<string> Alternatives => _byWords.Keys;

    /// <summary>Every distinct word of the phrases.</summary>
    public IEnumerable<string> Words => _byWords.Keys.SelectMany(k => k.Split(' ')).Distinct();

    /// <summary>Phrases that yield no words (empty or only punctuation) are ignored; duplicates keep their first spelling.</summary>
    public static PhraseGrammar Build(IEnumerable<string> phrases)
    {
        var byWords = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var phrase in phrases)
        {
            var words = ToWords(phrase);
            if (words.Count > 0) byWords.TryAdd(string.Join(' ', words), phrase.Trim());
        }
        return new PhraseGrammar(byWords);
    }

    /// <summary>The phrase as the agent wrote it for a recognized word sequence, or null if the grammar has none.</summary>
    public string? PhraseFor(string hypothesis) =>
        _byWords.GetValueOrDefault(string.Join(' ', hypothesis.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

    /// <summary>The original phrases that contain <paramref name="word"/>.</summary>
    public IEnumerable<string> PhrasesWith(string word) =>
        _byWords.Where(p => p.Key.Split(' ').Contains(word)).Select(p => p.Value);

    /// <summary>A JSGF grammar whose public rule is one of the phrases (words are letters and apostrophes only, so need no quoting).</summary>
    public string ToJsgf()
    {
        var jsgf = new StringBuilder("#JSGF V1.0;\ngrammar awaaz;\npublic <phrase> = ");
        var first = true;
        foreach (var words in _byWords.Keys)
        {
            if (!first) jsgf.Append("\n    | ");
            first = false;
            jsgf.Append(words);
        }
        return jsgf.Append(";\n").ToString();
    }

    /// <summary>The pocketsphinx words of one phrase.</summary>
    public static IReadOnlyList<string> ToWords(string phrase)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        var words = new List<string>();
        var token = new StringBuilder();
        foreach (var raw in phrase.Normalize(NormalizationForm.FormC) + " ")
        {
            var c = raw is '’' or '‘' ? '\'' : raw;
            if (char.IsLetterOrDigit(c) || c == '\'' || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark)
            {
                token.Append(char.ToLowerInvariant(c));
                continue;
            }
            AddToken(words, token.ToString().Trim('\''));
            token.Clear();
        }
        return words;
    }

    private static void AddToken(List<string> words, string token)
    {
        if (token.Length == 0) return;
        if (!token.All(char.IsAsciiDigit)) words.Add(token);
        else if (token.Length > 4 || (token.Length > 1 && token[0] == '0')) words.AddRange(token.Select(d => Ones[d - '0']));
        else words.AddRange(Cardinal(int.Parse(token, System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static IEnumerable<string> Cardinal(int n)
    {
        if (n < 20) return [Ones[n]];
        if (n < 100) return n % 10 == 0 ? [Tens[n / 10]] : [Tens[n / 10], Ones[n % 10]];
        if (n < 1000) return n % 100 == 0 ? [Ones[n / 100], "hundred"] : [Ones[n / 100], "hundred", .. Cardinal(n % 100)];
        return n % 1000 == 0 ? [Ones[n / 1000], "thousand"] : [Ones[n / 1000], "thousand", .. Cardinal(n % 1000)];
    }
}
