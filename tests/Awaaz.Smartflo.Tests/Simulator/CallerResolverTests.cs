using System.Text.Json.Nodes;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Configuration;
using Shouldly;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>Spec §9: the resolver request as Smartflo sends it, and the strict check of the reply.</summary>
public sealed class CallerResolverTests
{
    internal static CallerOptions Options(FakeBot bot, ResolverMethod method = ResolverMethod.Post) => new()
    {
        ResolverUrl = bot.ResolverUrl,
        Method = method,
        CallId = "h3.08-1770534283.2156835",
        From = "9876543210",
        To = "8069000001",
        HangupAfter = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task Post_sends_the_panel_json_body_and_the_stream_opens()
    {
        await using var bot = await FakeBot.StartAsync();

        var result = await SmartfloCaller.RunAsync(Options(bot), TestContext.Current.CancellationToken);

        var hit = bot.ResolverHits.Single();
        hit.Method.ShouldBe("POST");
        hit.ContentType.ShouldBe("application/json");
        hit.Query.ShouldBe(new Dictionary<string, string> { ["secret"] = "s3cret" });
        hit.Body.ShouldBe("""{"callId":"h3.08-1770534283.2156835","fromNumber":"9876543210","toNumber":"8069000001","status":"answered"}""");
        result.Resolver!.Verdict.ShouldBe(ResolverVerdict.Accepted);
        result.Resolver.WssUrl!.ShouldStartWith("ws://127.0.0.1:");
        result.Outcome.ShouldBe(CallerOutcome.Streamed);
        bot.SessionCount.ShouldBe(1);
    }

    [Fact]
    public async Task Get_appends_the_four_variables_to_the_configured_query()
    {
        await using var bot = await FakeBot.StartAsync();

        var result = await SmartfloCaller.RunAsync(Options(bot, ResolverMethod.Get) with { }, TestContext.Current.CancellationToken);

        var hit = bot.ResolverHits.Single();
        hit.Method.ShouldBe("GET");
        hit.Body.ShouldBeEmpty();
        hit.Query.ShouldBe(new Dictionary<string, string>
        {
            ["secret"] = "s3cret",
            ["callId"] = "h3.08-1770534283.2156835",
            ["fromNumber"] = "9876543210",
            ["toNumber"] = "8069000001",
            ["status"] = "answered",
        });
        result.Resolver!.Url.ShouldBe(bot.ResolverUrl + "&callId=h3.08-1770534283.2156835&fromNumber=9876543210&toNumber=8069000001&status=answered");
        result.Outcome.ShouldBe(CallerOutcome.Streamed);
    }

    [Theory]
    [InlineData(ResolverReply.Decline, ResolverVerdict.Declined)]
    [InlineData(ResolverReply.DeclineWith401, ResolverVerdict.Declined)]
    [InlineData(ResolverReply.Malformed, ResolverVerdict.InvalidJson)]
    [InlineData(ResolverReply.ExtraKey, ResolverVerdict.WrongShape)]
    [InlineData(ResolverReply.KeysInOtherOrder, ResolverVerdict.WrongShape)]
    [InlineData(ResolverReply.SuccessAsString, ResolverVerdict.WrongShape)]
    [InlineData(ResolverReply.HttpScheme, ResolverVerdict.BadUrl)]
    [InlineData(ResolverReply.WsToOtherHost, ResolverVerdict.BadUrl)]
    [InlineData(ResolverReply.TextPlainContentType, ResolverVerdict.InvalidJson)]
    [InlineData(ResolverReply.ServerError, ResolverVerdict.HttpError)]
    [InlineData(ResolverReply.Slow, ResolverVerdict.Timeout)]
    public async Task A_bad_reply_fails_the_call_without_opening_a_socket(ResolverReply reply, ResolverVerdict verdict)
    {
        await using var bot = await FakeBot.StartAsync();
        bot.Reply = reply;
        bot.SlowBy = TimeSpan.FromSeconds(2);

        var result = await SmartfloCaller.RunAsync(
            Options(bot) with { ResolverDeadline = TimeSpan.FromMilliseconds(300) }, TestContext.Current.CancellationToken);

        result.Outcome.ShouldBe(CallerOutcome.ResolverFailed);
        result.Resolver!.Verdict.ShouldBe(verdict);
        result.Failure.ShouldNotBeNull();
        result.Events.Select(e => e.Name).ShouldBe(["resolver_failed"]);
        bot.SessionCount.ShouldBe(0);
    }

    [Fact]
    public async Task Loopback_ws_can_be_refused_and_a_lenient_check_accepts_extra_keys()
    {
        await using var bot = await FakeBot.StartAsync();

        var noWs = await SmartfloCaller.RunAsync(Options(bot) with { AllowLoopbackWs = false }, TestContext.Current.CancellationToken);
        bot.Reply = ResolverReply.ExtraKey;
        var lenient = await SmartfloCaller.RunAsync(Options(bot) with { StrictResolverResponse = false }, TestContext.Current.CancellationToken);

        noWs.Resolver!.Verdict.ShouldBe(ResolverVerdict.BadUrl);
        lenient.Outcome.ShouldBe(CallerOutcome.Streamed);
    }

    [Fact]
    public async Task A_refused_upgrade_is_a_connect_failure_with_its_http_status()
    {
        await using var bot = await FakeBot.StartAsync();
        var first = await SmartfloCaller.RunAsync(Options(bot), TestContext.Current.CancellationToken);
        bot.FixedWsUrl = first.Resolver!.WssUrl; // a spent one-time token: the bot answers the upgrade with 403

        var result = await SmartfloCaller.RunAsync(Options(bot), TestContext.Current.CancellationToken);

        result.Outcome.ShouldBe(CallerOutcome.ConnectFailed);
        result.UpgradeStatus.ShouldBe(403);
        result.Failure.ShouldBe("upgrade refused with HTTP 403");
        bot.SessionCount.ShouldBe(1);
    }
}
