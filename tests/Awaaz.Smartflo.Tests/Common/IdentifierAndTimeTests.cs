using Shouldly;

namespace Awaaz.Smartflo.Tests.Common;

public sealed class SmartfloCallIdTests
{
    [Theory]
    [InlineData("h3.08-1770534283.2156835", "1770534283.2156835")]
    [InlineData("h11.08-1776875353.216650", "1776875353.216650")]
    [InlineData("HYD12-T7-1790683445.618022", "1790683445.618022")]
    [InlineData("1739257917.28918", "1739257917.28918")]
    [InlineData("5c4113fa-538e-422b-8925-685bdc6915c0", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void NumericCore_extracts_the_trailing_epoch_dot_sequence(string? id, string? core) =>
        SmartfloCallId.NumericCore(id).ShouldBe(core);

    [Fact]
    public void Ids_with_the_same_core_are_the_same_call()
    {
        SmartfloCallId.AreSame("h3.08-1770534283.2156835", "1770534283.2156835").ShouldBeTrue();
        SmartfloCallId.AreSame("h3.08-1770534283.2156835", "h9.01-1770534283.2156835").ShouldBeTrue();
        SmartfloCallId.AreSame("h3.08-1770534283.2156835", "1770534283.2156836").ShouldBeFalse();
        SmartfloCallId.AreSame("abc", "abc").ShouldBeTrue();
        SmartfloCallId.AreSame(null, null).ShouldBeFalse();
        SmartfloCallId.BindingForms("h3.08-1770534283.2156835").ShouldBe(["h3.08-1770534283.2156835", "1770534283.2156835"]);
        SmartfloCallId.BindingForms("1739257917.28918").ShouldBe(["1739257917.28918"]);
    }
}

public sealed class IndianStandardTimeTests
{
    [Theory]
    [InlineData("2026-02-08 12:34:53", "2026-02-08T07:04:53Z")]
    [InlineData("2026-02-08T12:34:53", "2026-02-08T07:04:53Z")]
    [InlineData("2026-02-08 12:34:53.500", "2026-02-08T07:04:53.5Z")]
    [InlineData("2026-02-08T07:04:53Z", "2026-02-08T07:04:53Z")]
    [InlineData("2026-02-08T12:34:53+05:30", "2026-02-08T07:04:53Z")]
    [InlineData("1770534293", "2026-02-08T07:04:53Z")]
    [InlineData("1770534294.338", "2026-02-08T07:04:54.338Z")]
    [InlineData("1770534293000", "2026-02-08T07:04:53Z")]
    [InlineData("2026-01-01 02:00:00", "2025-12-31T20:30:00Z")]
    public void Parses_ist_wall_clock_iso_and_epoch_to_utc(string text, string expectedUtc)
    {
        IndianStandardTime.TryParse(text, out var utc).ShouldBeTrue();
        utc.ShouldBe(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture));
        utc.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("$start_stamp")]
    [InlineData("N.A.")]
    [InlineData("-5")]
    [InlineData("0001-01-01 01:00:00")]
    [InlineData("99999999999999999999")]
    public void Rejects_what_is_not_a_time(string? text) =>
        IndianStandardTime.TryParse(text, out _).ShouldBeFalse();

    [Fact]
    public void Formats_queries_as_ist_wall_clock()
    {
        IndianStandardTime.ToWallClock(new DateTimeOffset(2026, 2, 8, 7, 4, 53, TimeSpan.Zero)).ShouldBe("2026-02-08 12:34:53");
        IndianStandardTime.TryParseDateAndTime("2024-05-09", "11:52:14", out var started).ShouldBeTrue();
        started.ShouldBe(new DateTimeOffset(2024, 5, 9, 6, 22, 14, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("inbound", CallDirection.Inbound)]
    [InlineData("Dialer (Inbound)", CallDirection.Inbound)]
    [InlineData("1", CallDirection.Inbound)]
    [InlineData("outbound", CallDirection.Outbound)]
    [InlineData("click_to_call", CallDirection.Outbound)]
    [InlineData("clicktocall", CallDirection.Outbound)]
    [InlineData("click-to-call", CallDirection.Outbound)]
    [InlineData("Dialer (Outbound)", CallDirection.Outbound)]
    [InlineData(" OUTBOUND ", CallDirection.Outbound)]
    [InlineData("2", CallDirection.Outbound)]
    [InlineData("sideways", CallDirection.Unknown)]
    [InlineData(null, CallDirection.Unknown)]
    public void Directions_are_read_in_every_spelling(string? raw, CallDirection expected) =>
        CallDirections.Parse(raw).ShouldBe(expected);
}

public sealed class RedactionTests
{
    [Fact]
    public void Sensitive_json_values_are_replaced_and_bodies_cut_to_2kb()
    {
        var body = """{"email":"ops@example.com","password":"hunter2-secret","access_token":"eyJabc.def.ghi","nested":{"api_key":"3f2b8c1e-0000"},"message":"ok"}"""u8;
        var redacted = SmartfloRedaction.RedactBody(body);
        redacted.ShouldNotContain("hunter2");
        redacted.ShouldNotContain("eyJabc");
        redacted.ShouldNotContain("3f2b8c1e");
        redacted.ShouldContain("ops@example.com");
        redacted.ShouldContain("\"message\":\"ok\"");

        SmartfloRedaction.RedactBody(System.Text.Encoding.UTF8.GetBytes(new string('x', 10_000))).Length.ShouldBe(2048);
        SmartfloRedaction.Mask("3f2b8c1e-aaaa-bbbb-cccc-9c1e").ShouldBe("3f2b****9c1e");
        SmartfloRedaction.Mask("short").ShouldBe("****");
    }
}
