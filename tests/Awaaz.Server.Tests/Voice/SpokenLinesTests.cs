using Awaaz.Server.Voice;

namespace Awaaz.Server.Tests.Voice;

public sealed class SpokenLinesTests
{
    public static TheoryData<Func<string, string>> Lines => new()
    {
        SpokenLines.WrapUp, SpokenLines.StillThere, SpokenLines.TransferHold, SpokenLines.TransferFailed,
        SpokenLines.FarewellApology, SpokenLines.ContinueApology, SpokenLines.FunctionError,
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Every_line_is_Hindi_for_Hindi_agents_and_English_otherwise(Func<string, string> line)
    {
        line("hi").ShouldBe(line("hi-IN"));
        line("hi").ShouldMatch(@"\p{IsDevanagari}");
        foreach (var language in new[] { "en", "en-IN", "ta", "multi" })
        {
            line(language).ShouldBe(line("en"));
            line(language).ShouldMatch("^[A-Z][A-Za-z ,.?']+$");
        }
    }
}
