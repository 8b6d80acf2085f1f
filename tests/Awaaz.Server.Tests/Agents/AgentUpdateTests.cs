using System.Text.Json.Nodes;
using static Awaaz.Server.Tests.Agents.AgentTestKit;

namespace Awaaz.Server.Tests.Agents;

public sealed class AgentUpdateTests(CloudProvidersFactory factory) : IClassFixture<CloudProvidersFactory>
{
    private static JsonObject Full(string name = "Full Agent") => JsonNode.Parse($$$"""
        {
          "agent_name": "{{{name}}}", "prompt": "Hello {{callee_name}}", "voice_id": "{{{HindiVoice}}}", "agent_type": "inbound",
          "intro_message": "Namaste", "voicemail_detection_enabled": true, "voicemail_message": "Please call back",
          "enable_recording": true, "kb_threshold": "medium", "kb_result_format": "fmt",
          "variables": ["callee_name", "amount"],
          "extraction_config": { "prompt": "Extract", "keys": [ { "name": "a" }, { "name": "b", "type": "number" } ], "includeToolLogs": true },
          "transferEnabled": true, "transferNumber": "+918000000100", "transferMessage": "Transferring",
          "endCallMessage": "Bye", "max_call_duration_secs": 900, "background_audio_volume": 0.2,
          "pipeline": {
            "stt": { "provider": "pocketsphinx", "model": "en-us" },
            "llm": { "model": "gpt-4o", "temperature": 1.0 },
            "turn": { "vad_threshold": 0.7, "end_of_turn_silence_ms": 800 }
          }
        }
        """)!.AsObject();

    private static JsonObject WithoutVolatile(JsonNode agent, params string[] alsoIgnore)
    {
        var copy = agent.DeepClone().AsObject();
        foreach (var key in alsoIgnore.Append("updated_at")) copy.Remove(key);
        return copy;
    }

    [Fact]
    public async Task Only_supplied_fields_change()
    {
        var partner = await factory.CreatePartnerAsync();
        var created = await partner.Client.CreateAgentAsync(Full());
        await Task.Delay(5);
        var updated = await partner.Client.UpdateAgentAsync(created.Str("id"), new JsonObject { ["prompt"] = "New prompt" });

        updated.Str("prompt").ShouldBe("New prompt");
        WithoutVolatile(updated, "prompt").Json().ShouldBe(WithoutVolatile(created, "prompt").Json());
        updated.Str("created_at").ShouldBe(created.Str("created_at"));
        DateTimeOffset.Parse(updated.Str("updated_at")).ShouldBeGreaterThan(DateTimeOffset.Parse(created.Str("updated_at")));
        (await partner.Client.GetAgentAsync(created.Str("id"))).Json().ShouldBe(updated.Json());
    }

    [Fact]
    public async Task Patch_is_an_alias_of_put_and_accepts_camel_case()
    {
        var partner = await factory.CreatePartnerAsync();
        var created = await partner.Client.CreateAgentAsync(Full());
        var updated = await partner.Client.UpdateAgentAsync(created.Str("id"),
            new JsonObject { ["endCallMessage"] = "Alvida", ["agentType"] = "outbound", ["end_call_instructions"] = "When done" }, HttpMethod.Patch);
        updated.Str("endCallMessage").ShouldBe("Alvida");
        updated.Str("agent_type").ShouldBe("outbound");
        updated.Str("end_call_instructions").ShouldBe("When done");
        updated.Str("intro_message").ShouldBe("Namaste");
    }

    [Fact]
    public async Task Null_clears_nullable_fields_and_empty_text_removes()
    {
        var partner = await factory.CreatePartnerAsync();
        var created = await partner.Client.CreateAgentAsync(Full());
        var updated = await partner.Client.UpdateAgentAsync(created.Str("id"), JsonNode.Parse("""
            {
              "intro_message": "", "voicemail_message": null, "kb_threshold": null, "kb_result_format": null,
              "variables": null, "extraction_config": null, "transferEnabled": false, "transferNumber": null,
              "transferMessage": null, "endCallMessage": null, "max_call_duration_secs": null
            }
            """)!);

        foreach (var key in new[] { "intro_message", "voicemail_message", "kb_threshold", "kb_result_format", "extraction_config", "transferNumber", "transferMessage", "endCallMessage", "max_call_duration_secs" })
            updated[key].ShouldBeNull(key);
        updated["variables"]!.AsArray().Count.ShouldBe(0);
        updated["transferEnabled"]!.GetValue<bool>().ShouldBeFalse();
        updated.Str("prompt").ShouldBe("Hello {{callee_name}}");
    }

    [Fact]
    public async Task Variables_and_extraction_config_are_replaced_whole()
    {
        var partner = await factory.CreatePartnerAsync();
        var created = await partner.Client.CreateAgentAsync(Full());
        var updated = await partner.Client.UpdateAgentAsync(created.Str("id"), JsonNode.Parse("""
            { "variables": ["order_id"], "extraction_config": { "prompt": "Only c", "keys": [ { "name": "c", "type": "date" } ] } }
            """)!);
        updated["variables"].Json().ShouldBe("""["order_id"]""");
        updated["extraction_config"].Json().ShouldBe("""{"prompt":"Only c","keys":[{"name":"c","type":"date","description":null}],"includeToolLogs":false}""");
    }

    [Fact]
    public async Task Pipeline_merges_deeply_and_null_returns_a_key_to_its_default()
    {
        var partner = await factory.CreatePartnerAsync();
        var id = (await partner.Client.CreateAgentAsync(Full())).Str("id");

        var merged = await partner.Client.UpdateAgentAsync(id, JsonNode.Parse("""{"pipeline":{"turn":{"interruption_min_speech_ms":150},"llm":{"provider":"scripted"}}}""")!);
        merged["pipeline"].Json().ShouldBe(JsonNode.Parse("""
            {
              "stt": { "provider": "pocketsphinx", "model": "en-us", "language": "hi" },
              "llm": { "provider": "scripted", "model": "gpt-4o", "base_url": null, "temperature": 1 },
              "tts": { "provider": "espeak", "voice": "inc/hi", "model": null },
              "turn": { "vad_threshold": 0.7, "end_of_turn_silence_ms": 800, "interruption_min_speech_ms": 150, "backchannel_filter": true }
            }
            """).Json());

        var reset = await partner.Client.UpdateAgentAsync(id, JsonNode.Parse("""{"pipeline":{"turn":{"vad_threshold":null},"llm":{"model":null},"stt":null}}""")!);
        reset["pipeline"].Json().ShouldBe(JsonNode.Parse("""
            {
              "stt": { "provider": "deepgram", "model": null, "language": "hi" },
              "llm": { "provider": "scripted", "model": "scripted", "base_url": null, "temperature": 1 },
              "tts": { "provider": "espeak", "voice": "inc/hi", "model": null },
              "turn": { "vad_threshold": 0.5, "end_of_turn_silence_ms": 800, "interruption_min_speech_ms": 150, "backchannel_filter": true }
            }
            """).Json());

        var defaults = await partner.Client.UpdateAgentAsync(id, JsonNode.Parse("""{"pipeline":null}""")!);
        defaults["pipeline"].Json().ShouldBe(JsonNode.Parse("""
            {
              "stt": { "provider": "deepgram", "model": null, "language": "hi" },
              "llm": { "provider": "openai", "model": "gpt-4o-mini", "base_url": null, "temperature": 0.4 },
              "tts": { "provider": "espeak", "voice": "inc/hi", "model": null },
              "turn": { "vad_threshold": 0.5, "end_of_turn_silence_ms": 600, "interruption_min_speech_ms": 300, "backchannel_filter": true }
            }
            """).Json());
    }

    [Fact]
    public async Task Effective_values_follow_the_agent_language_and_voice()
    {
        var partner = await factory.CreatePartnerAsync();
        var id = (await partner.Client.CreateAgentAsync(Minimal())).Str("id");

        var english = await partner.Client.UpdateAgentAsync(id, new JsonObject { ["voice_id"] = EnglishUsVoice, ["language"] = "en" });
        english["pipeline"]!["stt"]!["language"]!.GetValue<string>().ShouldBe("en");
        english["pipeline"]!["tts"].Json().ShouldBe("""{"provider":"espeak","voice":"gmw/en-US","model":null}""");

        // A voice change without a language keeps the language; language null takes the voice's again.
        var hindiVoice = await partner.Client.UpdateAgentAsync(id, new JsonObject { ["voice_id"] = HindiVoice });
        hindiVoice.Str("language").ShouldBe("en");
        var voiceLanguage = await partner.Client.UpdateAgentAsync(id, new JsonObject { ["language"] = null });
        voiceLanguage.Str("language").ShouldBe("hi");
    }

    [Fact]
    public async Task Cross_field_rules_apply_to_the_merged_agent()
    {
        var partner = await factory.CreatePartnerAsync();
        var plain = (await partner.Client.CreateAgentAsync(Minimal("Plain"))).Str("id");
        await (await partner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/agent/{plain}", new JsonObject { ["transferEnabled"] = true }))
            .ShouldBeInvalidAsync("transfer_number");

        var transfer = (await partner.Client.CreateAgentAsync(Full("Transfer"))).Str("id");
        await (await partner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/agent/{transfer}", new JsonObject { ["transfer_number"] = null }))
            .ShouldBeInvalidAsync("transfer_number");
        await (await partner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/agent/{transfer}", new JsonObject { ["voice_id"] = null }))
            .ShouldBeInvalidAsync("voice_id");
        await (await partner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/agent/{transfer}", new JsonObject { ["language"] = "ta" }))
            .ShouldBeInvalidAsync("language");

        // voice_id may go once pipeline.tts names a voice.
        var spoken = await partner.Client.UpdateAgentAsync(transfer, JsonNode.Parse("""{"voice_id":null,"pipeline":{"tts":{"provider":"cartesia","voice":"riya"}}}""")!);
        spoken["voice_id"].ShouldBeNull();
        spoken["pipeline"]!["tts"].Json().ShouldBe("""{"provider":"cartesia","voice":"riya","model":null}""");

        var unchanged = await partner.Client.GetAgentAsync(plain);
        unchanged["transferEnabled"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task Invalid_update_changes_nothing()
    {
        var partner = await factory.CreatePartnerAsync();
        var created = await partner.Client.CreateAgentAsync(Full());
        await (await partner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/agent/{created.Str("id")}",
            JsonNode.Parse("""{"prompt":"changed","pipeline":{"turn":{"end_of_turn_silence_ms":5}}}""")!)).ShouldBeInvalidAsync("pipeline.turn.end_of_turn_silence_ms");
        (await partner.Client.GetAgentAsync(created.Str("id"))).Json().ShouldBe(created.Json());
    }

    [Fact]
    public async Task Renaming_to_a_taken_name_is_409_but_recasing_its_own_name_is_fine()
    {
        var partner = await factory.CreatePartnerAsync();
        await partner.Client.CreateAgentAsync(Minimal("Alpha"));
        var beta = (await partner.Client.CreateAgentAsync(Minimal("Beta"))).Str("id");

        var error = await (await partner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/agent/{beta}", new JsonObject { ["agent_name"] = "ALPHA" }))
            .ShouldBeErrorAsync(409, "CONFLICT");
        error["details"]!.Str("reason").ShouldBe("duplicate_agent_name");

        (await partner.Client.UpdateAgentAsync(beta, new JsonObject { ["agentName"] = "BETA" })).Str("agent_name").ShouldBe("BETA");
    }

    [Fact]
    public async Task Update_of_an_unknown_agent_is_404_after_body_validation()
    {
        var partner = await factory.CreatePartnerAsync();
        var unknown = Guid.NewGuid().ToString("D");
        var error = await (await partner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/agent/{unknown}", new JsonObject { ["prompt"] = "x" }))
            .ShouldBeErrorAsync(404, "NOT_FOUND");
        error["details"]!.Str("resource").ShouldBe("agent");
        error["details"]!.Str("id").ShouldBe(unknown);
        await (await partner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/agent/{unknown}", new JsonObject { ["prompt"] = "" }))
            .ShouldBeInvalidAsync("prompt");
        await (await partner.Client.PutAsync($"/api/v2/agent/{unknown}", new StringContent(""))).ShouldBeInvalidAsync("body");
    }
}
