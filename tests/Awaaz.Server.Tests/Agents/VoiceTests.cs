using System.Text.Json.Nodes;
using Awaaz.Server.Voice;
using static Awaaz.Server.Tests.Agents.AgentTestKit;

namespace Awaaz.Server.Tests.Agents;

public sealed class VoiceTests(AwaazFactory factory) : IClassFixture<AwaazFactory>
{
    private static async Task<JsonNode> VoicesAsync(HttpClient client) =>
        await (await client.GetAsync("/api/v2/agent/voices")).ShouldBeSuccessAsync();

    [Fact]
    public async Task Installed_espeak_voices_are_listed_with_stable_ids()
    {
        File.Exists("/usr/bin/espeak-ng").ShouldBeTrue("these tests expect espeak-ng to be installed (apt-get install espeak-ng)");
        var partner = await factory.CreatePartnerAsync();
        var data = await VoicesAsync(partner.Client);

        data.AsObject().Select(p => p.Key).ShouldBe(["voices", "hint"]);
        data["hint"].ShouldBeNull();
        var voices = data["voices"]!.AsArray();
        voices.Count.ShouldBeGreaterThan(20);
        voices.Select(v => v!.Str("id")).Distinct().Count().ShouldBe(voices.Count);
        voices.ShouldAllBe(v => v!["provider"]!.GetValue<string>() == "espeak");

        var hindi = voices.Single(v => v!.Str("id") == HindiVoice)!;
        hindi.Json().ShouldBe($$"""
            {"id":"{{HindiVoice}}","name":"Hindi","provider":"espeak","provider_voice_id":"inc/hi","language":"hi","languages":["hi"],"gender":"male","tier":"standard","preview_url":null}
            """.Trim());
        var english = voices.Single(v => v!.Str("id") == EnglishUsVoice)!;
        english.Str("name").ShouldBe("English (America)");
        english.Str("provider_voice_id").ShouldBe("gmw/en-US");
        english["languages"].Json().ShouldBe("""["en-us","en"]""");

        // Same ids on every request.
        var again = await VoicesAsync(partner.Client);
        again.Json().ShouldBe(data.Json());
    }

    [Fact]
    public async Task Allowed_voices_filter_the_list()
    {
        var partner = await factory.CreatePartnerAsync(configure: p => p with { AllowedVoices = [HindiVoice.ToUpperInvariant(), "00000000-0000-4000-8000-000000000000"] });
        var voices = (await VoicesAsync(partner.Client))["voices"]!.AsArray();
        voices.Select(v => v!.Str("id")).ShouldBe([HindiVoice]);

        var none = await factory.CreatePartnerAsync(configure: p => p with { AllowedVoices = [] });
        (await VoicesAsync(none.Client))["voices"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public void Espeak_voice_table_is_parsed()
    {
        const string output = """
            Pty Language       Age/Gender VoiceName          File                 Other Languages
             5  af              --/M      Afrikaans          gmw/af
             2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
             5  mi              --/M      Māori             poz/mi
             5  cmn             --/F      Chinese_(Mandarin,_latin_as_English) sit/cmn              (zh-cmn 5)(zh 5)
             5  yue             --/M      Chinese_(Cantonese) sit/yue              (zh-yue 5)(zh 8)
             5  yue             --/M      Chinese_(Cantonese,_latin_as_Jyutping) sit/yue-Latn-jyutping (zh-yue 5)(zh 8)
             5  xx              --/-      Unknown_gender     art/xx
            not a voice line
            """;
        var voices = EspeakVoices.Parse(output);

        voices.Select(v => v.ProviderVoiceId).ShouldBe(["gmw/af", "gmw/en-US", "poz/mi", "sit/cmn", "sit/yue", "sit/yue-Latn-jyutping", "art/xx"]);
        var english = voices[1];
        english.ShouldBe(english with
        {
            Id = EnglishUsVoice,
            Name = "English (America)",
            Provider = "espeak",
            Language = "en-us",
            Gender = "male",
            Tier = "standard",
            Model = null,
            PreviewUrl = null,
        });
        english.Languages.ShouldBe(["en-us", "en"]);
        voices[2].Name.ShouldBe("Māori");
        voices[3].Gender.ShouldBe("female");
        voices[3].Languages.ShouldBe(["cmn", "zh-cmn", "zh"]);
        voices[4].Id.ShouldNotBe(voices[5].Id); // same language code, different voices
        voices[6].Gender.ShouldBe("neutral");
    }

    [Fact]
    public void Name_based_ids_match_rfc_4122_version_5()
    {
        // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") == 886313e1-3b8a-5372-9b90-0c9aee199e5d
        NameBasedUuid.Create(new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "python.org").ShouldBe("886313e1-3b8a-5372-9b90-0c9aee199e5d");
        EspeakVoices.IdFor("inc/hi").ShouldBe(HindiVoice);
    }
}

/// <summary>A server whose espeak-ng cannot be found.</summary>
public sealed class NoEspeakFactory : AwaazFactory
{
    public NoEspeakFactory() => With("Awaaz:EspeakPath", "/nonexistent/espeak-ng");
}

public sealed class VoicesWithoutEspeakTests(NoEspeakFactory factory) : IClassFixture<NoEspeakFactory>
{
    [Fact]
    public async Task Missing_espeak_gives_an_empty_list_and_an_install_hint()
    {
        var partner = await factory.CreatePartnerAsync();
        var data = await (await partner.Client.GetAsync("/api/v2/agent/voices")).ShouldBeSuccessAsync();
        data["voices"]!.AsArray().ShouldBeEmpty();
        data.Str("hint").ShouldContain("apt-get install espeak-ng");

        // Without a catalog an agent needs pipeline.tts.
        var message = await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal())).ShouldBeInvalidAsync("voice_id");
        message.ShouldContain("catalog");
        var agent = await partner.Client.CreateAgentAsync(new JsonObject
        {
            ["agent_name"] = "Offline",
            ["prompt"] = "p",
            ["pipeline"] = JsonNode.Parse("""{"tts":{"provider":"espeak","voice":"inc/hi"}}"""),
        });
        agent["pipeline"]!["tts"].Json().ShouldBe("""{"provider":"espeak","voice":"inc/hi","model":null}""");
    }
}
