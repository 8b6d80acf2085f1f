namespace Awaaz.Smartflo.PhoneNumbers;

/// <summary>
/// Phone-number normalisation and matching exactly as Smartflo spec §8 describes.
/// Every method is total: bad input yields <c>null</c> or <c>false</c>, never an exception.
/// </summary>
public static class PhoneNumber
{
    /// <summary>The country code used when a number carries none (India).</summary>
    public const string IndiaCountryCode = "91";

    /// <summary>
    /// Normalises a loose number to E.164 (spec §8.2), or returns <c>null</c> when it is not a phone number:
    /// placeholders (<c>$customer_number</c>, <c>_number</c>), redacted digits (<c>98XXXXXXXX</c>),
    /// agent ids (<c>0502842370097</c>) and anything else unparseable.
    /// Accepts <c>+91…</c>, <c>91…</c>, <c>0…</c>, bare 10 digits, <c>0091…</c>, <c>+910…</c>, spaces, dashes,
    /// dots, brackets, comma-separated lists (first parseable element) and channel names (<c>PJSIP/+91…</c>).
    /// </summary>
    /// <remarks>
    /// Idempotent: <c>Normalize(Normalize(x)) == Normalize(x)</c>. To keep that true, a <c>00</c> international
    /// prefix is read exactly like a leading <c>+</c> (the spec's <c>+</c> + rest, re-read under the same table).
    /// </remarks>
    public static string? Normalize(string? raw, string defaultCountryCode = IndiaCountryCode)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var text = raw.AsSpan().Trim();
        if (text.Length == 0 || text[0] == '$') return null;

        if (text.Contains(','))
        {
            foreach (var range in text.Split(','))
            {
                var normalised = NormalizeSingle(text[range], defaultCountryCode);
                if (normalised is not null) return normalised;
            }
            return null;
        }
        return NormalizeSingle(text, defaultCountryCode);
    }

    /// <summary>
    /// Spec §8.3: both numbers normalise, and (both Indian) their last 10 digits are equal, or (otherwise)
    /// their E.164 forms are equal. <c>null</c>/unparseable on either side is never the same number.
    /// </summary>
    public static bool SameNumber(string? a, string? b)
    {
        var left = Normalize(a);
        var right = Normalize(b);
        if (left is null || right is null) return false;
        if (left.StartsWith("+91", StringComparison.Ordinal) && right.StartsWith("+91", StringComparison.Ordinal))
            return left.AsSpan(left.Length - 10).SequenceEqual(right.AsSpan(right.Length - 10));
        return string.Equals(left, right, StringComparison.Ordinal);
    }

    /// <summary>
    /// The key numbers are indexed by (spec §8.3): the last 10 digits of an Indian number, otherwise the full
    /// E.164 string. Two numbers are <see cref="SameNumber"/> exactly when their match keys are equal.
    /// </summary>
    public static string? MatchKey(string? raw)
    {
        var e164 = Normalize(raw);
        if (e164 is null) return null;
        return e164.StartsWith("+91", StringComparison.Ordinal) ? e164[^10..] : e164;
    }

    /// <summary>Last 10 digits of the normalised number (<c>null</c> if it does not normalise).</summary>
    public static string? Last10(string? raw)
    {
        var e164 = Normalize(raw);
        return e164 is null || e164.Length < 11 ? null : e164[^10..];
    }

    /// <summary>
    /// Format for <c>customer_number</c>, <c>destination_number</c> and <c>intercom</c> (spec §8.4):
    /// Indian numbers as 10-digit national, others as country code + number without <c>+</c>.
    /// <c>null</c> when <paramref name="raw"/> is not a phone number.
    /// </summary>
    public static string? ToDialString(string? raw)
    {
        var e164 = Normalize(raw);
        if (e164 is null) return null;
        return IsIndian(e164) ? e164[^10..] : e164[1..];
    }

    /// <summary>
    /// Format for <c>caller_id</c> (spec §8.4): <c>91</c> + 10 digits by default, or the national / trunk
    /// forms used by the caller-id fallback. Non-Indian numbers are sent as digits without <c>+</c>.
    /// </summary>
    public static string? ToCallerId(string? raw, CallerIdFormat format = CallerIdFormat.CountryCode)
    {
        var e164 = Normalize(raw);
        if (e164 is null) return null;
        if (!IsIndian(e164)) return e164[1..];
        var national = e164[^10..];
        return format switch
        {
            CallerIdFormat.National => national,
            CallerIdFormat.Trunk => "0" + national,
            _ => "91" + national,
        };
    }

    /// <summary>True for <c>+91</c> followed by exactly 10 digits.</summary>
    public static bool IsIndian(string? e164) =>
        e164 is { Length: 13 } && e164.StartsWith("+91", StringComparison.Ordinal) && AllDigits(e164.AsSpan(3));

    private static string? NormalizeSingle(ReadOnlySpan<char> text, string defaultCountryCode)
    {
        text = text.Trim();
        var slash = text.LastIndexOf('/');
        if (slash >= 0) text = text[(slash + 1)..];

        Span<char> digits = stackalloc char[32];
        var count = 0;
        var hadPlus = false;
        var sawDigit = false;
        foreach (var c in text)
        {
            switch (c)
            {
                case ' ' or '-' or '.' or '(' or ')' or '\t':
                    continue;
                case '+' when !hadPlus && !sawDigit:
                    hadPlus = true;
                    continue;
                case >= '0' and <= '9':
                    if (count == digits.Length) return null;
                    digits[count++] = c;
                    sawDigit = true;
                    continue;
                default:
                    return null;
            }
        }
        return Classify(digits[..count], hadPlus, defaultCountryCode);
    }

    private static string? Classify(ReadOnlySpan<char> d, bool hadPlus, string cc)
    {
        var n = d.Length;
        if (n == 0) return null;
        var ccDigits = cc.AsSpan();
        var ccLength = ccDigits.Length;

        if (n == 10 && d[0] is >= '2' and <= '9') return $"+{cc}{d}";
        if (n == 11 && d[0] == '0') return $"+{cc}{d[1..]}";
        if (n == 10 + ccLength && d.StartsWith(ccDigits)) return $"+{d}";
        if (n == 11 + ccLength && d.StartsWith(ccDigits) && d[ccLength] == '0') return $"+{cc}{d[(ccLength + 1)..]}";
        if (n == 12 + ccLength && d.StartsWith("00") && d[2..].StartsWith(ccDigits)) return $"+{cc}{d[(2 + ccLength)..]}";
        if (hadPlus && n is >= 8 and <= 15 && d[0] != '0') return $"+{d}";
        if (!hadPlus && n is >= 10 and <= 17 && d.StartsWith("00")) return Classify(d[2..], hadPlus: true, cc);
        return null;
    }

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
            if (c is < '0' or > '9') return false;
        return true;
    }
}

/// <summary>Which form of the DID is sent as <c>caller_id</c> (spec §8.4, learned per connection).</summary>
public enum CallerIdFormat
{
    /// <summary><c>91</c> + 10 digits (default; health value <c>cc</c>).</summary>
    CountryCode,
    /// <summary>10-digit national number (health value <c>national</c>).</summary>
    National,
    /// <summary><c>0</c> + 10 digits (health value <c>trunk</c>).</summary>
    Trunk,
}

/// <summary>Wire names of <see cref="CallerIdFormat"/> as used in connection health (<c>cc</c>, <c>national</c>, <c>trunk</c>).</summary>
public static class CallerIdFormats
{
    /// <summary>The health/config name of a format.</summary>
    public static string ToWireName(this CallerIdFormat format) => format switch
    {
        CallerIdFormat.National => "national",
        CallerIdFormat.Trunk => "trunk",
        _ => "cc",
    };

    /// <summary>Parses <c>cc</c>, <c>national</c> or <c>trunk</c> (case-insensitive); anything else is <c>null</c>.</summary>
    public static CallerIdFormat? FromWireName(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "cc" => CallerIdFormat.CountryCode,
        "national" => CallerIdFormat.National,
        "trunk" => CallerIdFormat.Trunk,
        _ => null,
    };
}
