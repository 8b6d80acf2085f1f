using Awaaz.Server.Calls;
using Awaaz.Server.Storage;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Simulator.Rest;
using Dapper;

namespace Awaaz.Server.Tests.Voice;

/// <summary>The call's cap (partner-api.md §9.11): a wrap-up line before it, the farewell at it, then the hang-up; watched live.</summary>
public sealed class CallDeadlineTests(AwaazFactory factory) : IClassFixture<AwaazFactory>, IAsyncLifetime
{
    private const string Script = """
        ```awaaz-script
        {"steps":[{"id":"hi","say":"Hello. How can I help you today?","intents":{"bye":["goodbye"]},"routes":{"bye":"bye"}},
                  {"id":"bye","say":"Goodbye.","end":true}]}
        ```
        """;

    private SmartfloSimulator _sim = null!;
    public async ValueTask InitializeAsync() => _sim = await SimulatedSmartflo.StartAsync();
    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task The_agent_warns_before_the_cap_says_goodbye_at_it_and_hangs_up_while_the_transcript_is_published_live()
    {
        var s = await CallScenario.CreateAsync(factory, _sim, agentExtras: new
        {
            prompt = Script, end_call_message = "Our time is up. Goodbye {{callee_name}}.",
            pipeline = new { stt = new { provider = "pocketsphinx" }, llm = new { provider = "scripted" }, tts = new { provider = "espeak", voice = "gmw/en-US" } },
        });
        await VoiceBotWiring.WireAsync(_sim, s);
        _sim.Calls.ScriptNextCall(new FarEndScript { Number = "+919800000091", AnswerAfterMs = 1500, HangupAfterMs = null });
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var feed = factory.Service<ILiveTranscripts>().SubscribeAsync(s.Partner.Partner.Id, null, watching.Token);

        var callId = (await (await s.StartAsync("+919800000091")).ShouldBeSuccessAsync(201)).Str("call_id");
        await using (var db = await factory.Service<Database>().OpenAsync())
            await db.ExecuteAsync("UPDATE calls SET max_duration_secs = 8 WHERE id = @callId", new { callId }); // the API's minimum is 60 s

        var live = new List<LiveTranscriptEvent>();
        await foreach (var e in feed)
        {
            live.Add(e);
            if (e is TranscriptClosed) break;
        }
        var ended = await s.WaitForAsync(callId, c => c.Str("status") == "completed", 30);
        ended.Str("end_reason").ShouldBe("max_duration", ended.ToJsonString());
        var transcript = ended["session"]!["transcript"]!.AsArray().Select(t => $"{t!.Str("role")}: {t.Str("content")}").ToList();
        transcript.ShouldBe([
            "bot: Hello.", "bot: How can I help you today?",
            "bot: Just so you know, we have about thirty seconds left on this call.",
            "bot: Our time is up. Goodbye Asha.",
        ], string.Join("\n", transcript));
        _sim.Requests.Count(SmartfloRoute.Hangup).ShouldBeGreaterThanOrEqualTo(1);

        // Every stored turn was published as it happened, in order, then the close.
        live.ShouldAllBe(e => e.CallId == callId && e.PartnerId == s.Partner.Partner.Id);
        live.OfType<TranscriptTurnAdded>().Select(e => $"{e.Turn.Role}: {e.Turn.Content}").ShouldBe(transcript);
        live[^1].ShouldBeOfType<TranscriptClosed>();
    }
}
