using Awaaz.Smartflo.PhoneNumbers;
using Shouldly;

namespace Awaaz.Smartflo.Tests.PhoneNumbers;

public sealed class PhoneNumberTests
{
    [Theory]
    [InlineData("+919876543210", "+919876543210")]
    [InlineData("919876543210", "+919876543210")]
    [InlineData("09876543210", "+919876543210")]
    [InlineData("9876543210", "+919876543210")]
    [InlineData("+91 98765-43210", "+919876543210")]
    [InlineData("(098) 765.43210", "+919876543210")]
    [InlineData("00919876543210", "+919876543210")]
    [InlineData("+9100000000029", "+910000000029")]
    [InlineData("+14155551234", "+14155551234")]
    [InlineData("0014155551234", "+14155551234")]
    [InlineData("PJSIP/+919643116782", "+919643116782")]
    [InlineData("  9876543210 ", "+919876543210")]
    [InlineData("09XXXXX6782,9876543210", "+919876543210")]
    public void Normalize_follows_the_spec_table(string raw, string expected) =>
        PhoneNumber.Normalize(raw).ShouldBe(expected);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("$customer_number")]
    [InlineData("_number")]
    [InlineData("09XXXXX6782,0964XXXX782")]
    [InlineData("+9197XXXXXXXX")]
    [InlineData("0502842370097")]
    [InlineData("0602842370097")]
    [InlineData("12345")]
    [InlineData("1234567890")]
    [InlineData("+0123456789")]
    [InlineData("98765+43210")]
    [InlineData("98765432101234567890123456789012345")]
    public void Normalize_returns_null_for_non_numbers(string? raw) =>
        PhoneNumber.Normalize(raw).ShouldBeNull();

    [Theory]
    [InlineData("+919876543210", "09876543210", true)]
    [InlineData("9876543210", "919876543210", true)]
    [InlineData("+9100000000029", "0000000029", false)]
    [InlineData("+14155551234", "0014155551234", true)]
    [InlineData("+14155551234", "+14155551235", false)]
    [InlineData("+919876543210", null, false)]
    [InlineData("98XXXXXXXX", "98XXXXXXXX", false)]
    public void SameNumber_matches_on_last_ten_digits_for_indian_numbers(string? a, string? b, bool expected) =>
        PhoneNumber.SameNumber(a, b).ShouldBe(expected);

    [Fact]
    public void MatchKey_is_last_ten_for_india_and_full_e164_otherwise()
    {
        PhoneNumber.MatchKey("09876543210").ShouldBe("9876543210");
        PhoneNumber.MatchKey("+14155551234").ShouldBe("+14155551234");
        PhoneNumber.MatchKey("$x").ShouldBeNull();
    }

    [Fact]
    public void Outbound_formats_follow_section_8_4()
    {
        PhoneNumber.ToDialString("+91 98765 43210").ShouldBe("9876543210");
        PhoneNumber.ToDialString("+14155551234").ShouldBe("14155551234");
        PhoneNumber.ToCallerId("+918069123456").ShouldBe("918069123456");
        PhoneNumber.ToCallerId("+918069123456", CallerIdFormat.National).ShouldBe("8069123456");
        PhoneNumber.ToCallerId("+918069123456", CallerIdFormat.Trunk).ShouldBe("08069123456");
        PhoneNumber.ToCallerId("+14155551234", CallerIdFormat.Trunk).ShouldBe("14155551234");
        PhoneNumber.ToDialString("not a number").ShouldBeNull();
    }

    [Theory]
    [InlineData(CallerIdFormat.CountryCode, "cc")]
    [InlineData(CallerIdFormat.National, "national")]
    [InlineData(CallerIdFormat.Trunk, "trunk")]
    public void Caller_id_formats_round_trip_their_wire_names(CallerIdFormat format, string name)
    {
        format.ToWireName().ShouldBe(name);
        CallerIdFormats.FromWireName(name.ToUpperInvariant()).ShouldBe(format);
    }
}

public sealed class IndianPhoneNumberTests
{
    [Theory]
    [InlineData("+919876543210")]
    [InlineData("919876543210")]
    [InlineData("09876543210")]
    [InlineData("9876543210")]
    [InlineData("+91 98765-43210")]
    [InlineData(" 98765 43210 ")]
    public void Accepts_the_four_documented_forms(string raw)
    {
        IndianPhoneNumber.TryNormalize(raw, out var e164).ShouldBeTrue();
        e164.ShouldBe("+919876543210");
        IndianPhoneNumber.Validate(raw).IsValid.ShouldBeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1234567890")]
    [InlineData("+911234567890")]
    [InlineData("+9100000000029")]
    [InlineData("+14155551234")]
    [InlineData("00919876543210")]
    [InlineData("(98765) 43210")]
    [InlineData("98765.43210")]
    [InlineData("987654321")]
    [InlineData("+9876543210")]
    [InlineData("0502842370097")]
    public void Rejects_everything_else_with_the_partner_message(string? raw)
    {
        IndianPhoneNumber.TryNormalize(raw, out _).ShouldBeFalse();
        var validation = IndianPhoneNumber.Validate(raw);
        validation.IsValid.ShouldBeFalse();
        validation.Error.ShouldBe("Invalid phone number. Use format +91XXXXXXXXXX");
    }
}
