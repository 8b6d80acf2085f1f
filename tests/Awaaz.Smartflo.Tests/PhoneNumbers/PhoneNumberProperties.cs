using Awaaz.Smartflo.PhoneNumbers;
using FsCheck;
using FsCheck.Fluent;

namespace Awaaz.Smartflo.Tests.PhoneNumbers;

public sealed class PhoneNumberProperties
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(2000);

    /// <summary>Strings built from the characters numbers are written with, plus noise.</summary>
    private static readonly Arbitrary<string> PhoneLikeText = Gen.Elements(
            '0', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '9', '+', ' ', '-', '.', '(', ')', ',', '/', 'X', '$', '_', 'a')
        .ArrayOf()
        .Select(chars => new string(chars))
        .ToArbitrary();

    /// <summary>A 10-digit Indian national number: first digit 2–9.</summary>
    private static readonly Gen<string> NationalNumber =
        from first in Gen.Choose(2, 9)
        from rest in Gen.Choose(0, 9).ArrayOf(9)
        select first + string.Concat(rest);

    [Fact]
    public void Normalize_is_idempotent_on_phone_like_text() =>
        Prop.ForAll(PhoneLikeText, raw =>
        {
            var once = PhoneNumber.Normalize(raw);
            return PhoneNumber.Normalize(once) == once;
        }).Check(Runs);

    [Fact]
    public void Normalize_is_idempotent_on_arbitrary_strings() =>
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), raw =>
        {
            var once = PhoneNumber.Normalize(raw);
            return PhoneNumber.Normalize(once) == once;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Normalize_output_is_null_or_e164() =>
        Prop.ForAll(PhoneLikeText, raw =>
            PhoneNumber.Normalize(raw) is not { } e164
            || (e164[0] == '+' && e164.Length is >= 9 and <= 16 && e164.Skip(1).All(char.IsAsciiDigit))).Check(Runs);

    [Fact]
    public void Every_valid_indian_form_maps_to_the_same_e164()
    {
        var forms = from national in NationalNumber
                    from form in Gen.Elements(
                        "+91{0}", "91{0}", "0{0}", "{0}", "0091{0}", "+910{0}", "+91 {1}-{2}", "0{1} {2}", "{0},$customer", "PJSIP/+91{0}")
                    select (national, form);

        Prop.ForAll(forms.ToArbitrary(), sample =>
        {
            var (national, form) = sample;
            var raw = string.Format(form, national, national[..5], national[5..]);
            var expected = "+91" + national;
            return PhoneNumber.Normalize(raw) == expected
                   && PhoneNumber.SameNumber(raw, national)
                   && PhoneNumber.MatchKey(raw) == national;
        }).Check(Runs);
    }

    [Fact]
    public void Strict_validator_accepts_the_four_single_tenant_forms_of_any_valid_number()
    {
        var forms = from national in NationalNumber
                    from form in Gen.Elements("+91{0}", "91{0}", "0{0}", "{0}", "+91 {1}-{2}", " {1} {2} ")
                    select (national, form);
        Prop.ForAll(forms.ToArbitrary(), sample =>
        {
            var (national, form) = sample;
            return IndianPhoneNumber.Validate(string.Format(form, national, national[..5], national[5..])).E164 == "+91" + national;
        }).Check(Runs);
    }

    [Fact]
    public void Strict_validator_agrees_with_normalize_on_what_it_accepts() =>
        Prop.ForAll(PhoneLikeText, raw =>
            !IndianPhoneNumber.TryNormalize(raw, out var strict) || PhoneNumber.Normalize(raw) == strict).Check(Runs);

    [Fact]
    public void SameNumber_is_symmetric() =>
        Prop.ForAll(PhoneLikeText, PhoneLikeText, (a, b) => PhoneNumber.SameNumber(a, b) == PhoneNumber.SameNumber(b, a)).Check(Runs);
}
