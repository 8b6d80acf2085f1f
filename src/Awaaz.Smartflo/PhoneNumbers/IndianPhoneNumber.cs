using System.Diagnostics.CodeAnalysis;

namespace Awaaz.Smartflo.PhoneNumbers;

/// <summary>
/// The strict validator of single-tenant mode (partner-api §17.3): accepts <c>+91XXXXXXXXXX</c>, <c>91XXXXXXXXXX</c>,
/// <c>0XXXXXXXXXX</c> and <c>XXXXXXXXXX</c> (spaces and dashes ignored), where the 10-digit national number starts
/// with 2–9, and produces <c>+91</c> + 10 digits. Everything else is rejected with <see cref="InvalidMessage"/>.
/// </summary>
public static class IndianPhoneNumber
{
    /// <summary>The exact validation message partners see.</summary>
    public const string InvalidMessage = "Invalid phone number. Use format +91XXXXXXXXXX";

    /// <summary>Validates and normalises; returns false (and <c>null</c>) for anything outside the four accepted forms.</summary>
    public static bool TryNormalize(string? raw, [NotNullWhen(true)] out string? e164)
    {
        e164 = null;
        if (raw is null) return false;

        Span<char> digits = stackalloc char[16];
        var count = 0;
        var hadPlus = false;
        foreach (var c in raw.AsSpan().Trim())
        {
            if (c is ' ' or '-') continue;
            if (c == '+' && count == 0 && !hadPlus) { hadPlus = true; continue; }
            if (c is < '0' or > '9' || count == digits.Length) return false;
            digits[count++] = c;
        }

        ReadOnlySpan<char> d = digits[..count];
        var nationalStart = (count, hadPlus) switch
        {
            (12, _) when d.StartsWith("91") => 2,
            (11, false) when d[0] == '0' => 1,
            (10, false) => 0,
            _ => -1,
        };
        if (nationalStart < 0 || d[nationalStart] is < '2' or > '9') return false;
        e164 = $"+91{d[nationalStart..]}";
        return true;
    }

    /// <summary>Validates a number, returning either the E.164 form or the partner-facing error message.</summary>
    public static PhoneNumberValidation Validate(string? raw) =>
        TryNormalize(raw, out var e164) ? new PhoneNumberValidation(e164, null) : new PhoneNumberValidation(null, InvalidMessage);
}

/// <summary>Outcome of <see cref="IndianPhoneNumber.Validate"/>: exactly one of <see cref="E164"/> and <see cref="Error"/> is set.</summary>
public sealed record PhoneNumberValidation(string? E164, string? Error)
{
    /// <summary>True when the number was accepted.</summary>
    [MemberNotNullWhen(true, nameof(E164))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => E164 is not null;
}
