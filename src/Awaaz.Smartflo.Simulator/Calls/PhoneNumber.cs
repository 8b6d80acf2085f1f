namespace Awaaz.Smartflo.Simulator.Calls;

/// <summary>Format of a caller id as sent by a client (spec §8.4 fallback: cc, national, trunk).</summary>
public enum CallerIdFormat
{
    /// <summary>`+91` + 10 digits.</summary>
    E164,
    /// <summary>`91` + 10 digits.</summary>
    Cc,
    /// <summary>10 digits.</summary>
    National,
    /// <summary>`0` + 10 digits.</summary>
    Trunk,
}

/// <summary>A phone number as the simulator accepts it: 10–15 digits with optional `+91`/`0` (spec §16.3).</summary>
public sealed record PhoneNumber(string Raw, string Digits, bool IsIndian)
{
    /// <summary>Last 10 digits: the national number of an Indian number.</summary>
    public string Last10 => Digits.Length >= 10 ? Digits[^10..] : Digits;

    public string E164 => IsIndian ? "+91" + Last10 : "+" + Digits;
    public string WithCountryCode => IsIndian ? "91" + Last10 : Digits;
    public string National => IsIndian ? Last10 : Digits;
    public string Trunk => IsIndian ? "0" + Last10 : Digits;

    public string Format(CallerIdFormat format) => format switch
    {
        CallerIdFormat.E164 => E164,
        CallerIdFormat.Cc => WithCountryCode,
        CallerIdFormat.National => National,
        _ => Trunk,
    };

    /// <summary>Parses a customer/destination/DID number. Null when it is not 10–15 digits after an optional `+`.</summary>
    public static PhoneNumber? TryParse(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var trimmed = raw.Trim();
        var body = trimmed.StartsWith('+') ? trimmed[1..] : trimmed;
        if (body.Length is < 10 or > 15 || !body.All(char.IsAsciiDigit))
        {
            return null;
        }

        var indian = body.Length switch
        {
            10 => body[0] is >= '2' and <= '9',
            11 => body[0] == '0',
            12 => body.StartsWith("91", StringComparison.Ordinal),
            _ => false,
        };
        return new PhoneNumber(trimmed, body, indian);
    }

    /// <summary>Which §8.4 format a caller id string is in; null when it is none of them.</summary>
    public static CallerIdFormat? DetectCallerIdFormat(string raw)
    {
        var value = raw.Trim();
        if (value.StartsWith("+91", StringComparison.Ordinal) && value.Length == 13 && value[1..].All(char.IsAsciiDigit))
        {
            return CallerIdFormat.E164;
        }

        if (!value.All(char.IsAsciiDigit))
        {
            return null;
        }

        return value.Length switch
        {
            12 when value.StartsWith("91", StringComparison.Ordinal) => CallerIdFormat.Cc,
            10 => CallerIdFormat.National,
            11 when value[0] == '0' => CallerIdFormat.Trunk,
            _ => null,
        };
    }

    /// <summary>Same number when the last 10 digits agree (how Smartflo matches DIDs).</summary>
    public static bool SameLast10(string? a, string? b)
    {
        var da = DigitsOf(a);
        var db = DigitsOf(b);
        return da.Length >= 10 && db.Length >= 10 && da[^10..] == db[^10..];
    }

    public static string DigitsOf(string? raw) =>
        raw is null ? "" : new string(raw.Where(char.IsAsciiDigit).ToArray());
}
