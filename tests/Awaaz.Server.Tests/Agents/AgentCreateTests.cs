using System.Text.Json.Nodes;
using Awaaz.Server.Agents;
using static Awaaz.Server.Tests.Agents.AgentTestKit;

namespace Awaaz.Server.Tests.Agents;

public sealed class AgentCreateTests(CloudProvidersFactory factory) : IClassFixture<CloudProvidersFactory>
{
    private static readonly string[] AgentKeys =
    [
        "id", "agent_name", "prompt", "voice_id", "language", "agent_type", "status", "intro_message",
        "voicemail_detection_enabled", "voicemail_message", "enable_recording", "kb_threshold", "kb_include_summaries",
        "kb_result_format", "kb_enable_llm_processing", "kb_llm_system_prompt", "variables", "extraction_config",
        "project_id", "transferEnabled", "transferNumber", "transferMessage", "transfer_instructions", "endCallEnabled",
        "endCallMessage", "end_call_instructions", "max_call_duration_secs", "background_audio_id", "background_audio_volume",
        "document_count", "pipeline", "functions", "created_at", "updated_at",
    ];

    [Fact]
    public async Task Spec_example_creates_the_documented_agent_object()
    {
        var partner = await factory.CreatePartnerAsync();
        var body = JsonNode.Parse($$$"""
            {
              "agent_name": "Sales Assistant",
              "prompt": "You are Riya, a friendly sales assistant for Acme. You are speaking with {{callee_name}}.",
              "voice_id": "{{{HindiVoice}}}",
              "agent_type": "outbound",
              "intro_message": "Namaste {{callee_name}}, main Acme se Riya bol rahi hoon.",
              "enable_recording": true,
              "transferEnabled": false,
              "end_call_enabled": true,
              "end_call_instructions": "End the call when the customer says they are not interested.",
              "max_call_duration_secs": 600,
              "variables": ["callee_name"],
              "pipeline": { "turn": { "end_of_turn_silence_ms": 700 } }
            }
            """)!;
        var response = await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", body);
        var agent = await response.ShouldBeSuccessAsync(201);

        agent.AsObject().Select(p => p.Key).ToArray().ShouldBe(AgentKeys);
        Guid.TryParseExact(agent.Str("id"), "D", out _).ShouldBeTrue();
        agent.Str("id").ShouldBe(agent.Str("id").ToLowerInvariant());
        agent.Str("created_at").ShouldMatch(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$");
        agent.Str("updated_at").ShouldBe(agent.Str("created_at"));
        agent.Str("project_id").ShouldBe(AgentView.DefaultProjectId(partner.Partner.Id));
        Guid.TryParseExact(agent.Str("project_id"), "D", out _).ShouldBeTrue();

        var expected = JsonNode.Parse($$$"""
            {
              "agent_name": "Sales Assistant",
              "prompt": "You are Riya, a friendly sales assistant for Acme. You are speaking with {{callee_name}}.",
              "voice_id": "{{{HindiVoice}}}",
              "language": "hi",
              "agent_type": "outbound",
              "status": "active",
              "intro_message": "Namaste {{callee_name}}, main Acme se Riya bol rahi hoon.",
              "voicemail_detection_enabled": false,
              "voicemail_message": null,
              "enable_recording": true,
              "kb_threshold": null,
              "kb_include_summaries": false,
              "kb_result_format": null,
              "kb_enable_llm_processing": false,
              "kb_llm_system_prompt": null,
              "variables": ["callee_name"],
              "extraction_config": null,
              "transferEnabled": false,
              "transferNumber": null,
              "transferMessage": null,
              "transfer_instructions": null,
              "endCallEnabled": true,
              "endCallMessage": null,
              "end_call_instructions": "End the call when the customer says they are not interested.",
              "max_call_duration_secs": 600,
              "background_audio_id": null,
              "background_audio_volume": 0.5,
              "document_count": 0,
              "pipeline": {
                "stt": { "provider": "deepgram", "model": null, "language": "hi" },
                "llm": { "provider": "openai", "model": "gpt-4o-mini", "base_url": null, "temperature": 0.4 },
                "tts": { "provider": "espeak", "voice": "inc/hi", "model": null },
                "turn": { "vad_threshold": 0.5, "end_of_turn_silence_ms": 700, "interruption_min_speech_ms": 300, "backchannel_filter": true }
              }
            }
            """)!.AsObject();
        foreach (var (key, value) in expected)
            agent[key].Json().ShouldBe(value.Json(), key);

        // The same object is returned by GET.
        var read = await partner.Client.GetAgentAsync(agent.Str("id"));
        read.Json().ShouldBe(agent.Json());
    }

    [Fact]
    public async Task Minimal_agent_gets_every_default()
    {
        var partner = await factory.CreatePartnerAsync();
        var agent = await partner.Client.CreateAgentAsync(Minimal(voiceId: EnglishUsVoice));

        agent.Str("language").ShouldBe("en-us"); // the voice's language
        agent.Str("agent_type").ShouldBe("outbound");
        agent["intro_message"].ShouldBeNull();
        agent["variables"]!.AsArray().Count.ShouldBe(0);
        agent["voicemail_detection_enabled"]!.GetValue<bool>().ShouldBeFalse();
        agent["enable_recording"]!.GetValue<bool>().ShouldBeFalse();
        agent["transferEnabled"]!.GetValue<bool>().ShouldBeFalse();
        agent["endCallEnabled"]!.GetValue<bool>().ShouldBeTrue();
        agent["max_call_duration_secs"]!.GetValue<int>().ShouldBe(600);
        agent["background_audio_volume"]!.GetValue<double>().ShouldBe(0.5);
        agent["pipeline"]!["stt"]!["language"]!.GetValue<string>().ShouldBe("en-us");
        agent["pipeline"]!["tts"].Json().ShouldBe("""{"provider":"espeak","voice":"gmw/en-US","model":null}""");
        agent["pipeline"]!["turn"].Json().ShouldBe("""{"vad_threshold":0.5,"end_of_turn_silence_ms":600,"interruption_min_speech_ms":300,"backchannel_filter":true}""");
    }

    [Fact]
    public async Task Camel_case_input_is_accepted_for_every_field()
    {
        var partner = await factory.CreatePartnerAsync();
        var projectId = Guid.NewGuid().ToString("D");
        var audioId = Guid.NewGuid().ToString("D");
        var agent = await partner.Client.CreateAgentAsync(JsonNode.Parse($$"""
            {
              "agentName": "Camel", "prompt": "p", "voiceId": "{{HindiVoice}}", "language": "en", "agentType": "inbound",
              "introMessage": "hi", "voicemailDetectionEnabled": true, "voicemailMessage": "vm", "enableRecording": true,
              "kbThreshold": "high", "kbIncludeSummaries": true, "kbResultFormat": "fmt", "kbEnableLlmProcessing": true,
              "kbLlmSystemPrompt": "kbp", "extractionConfig": { "prompt": "x", "keys": [ { "name": "k" } ], "include_tool_logs": true },
              "projectId": "{{projectId}}", "transferEnabled": true, "transferNumber": "+918000000100", "transferMessage": "tm",
              "transferInstructions": "ti", "endCallEnabled": false, "endCallMessage": "bye", "endCallInstructions": "eci",
              "maxCallDurationSecs": 120, "backgroundAudioId": "{{audioId}}", "backgroundAudioVolume": 0.25,
              "pipeline": { "turn": { "vadThreshold": 0.6, "endOfTurnSilenceMs": 800, "interruptionMinSpeechMs": 100, "backchannelFilter": false } }
            }
            """)!);

        var expected = JsonNode.Parse($$"""
            {
              "agent_name": "Camel", "prompt": "p", "voice_id": "{{HindiVoice}}", "language": "en", "agent_type": "inbound",
              "intro_message": "hi", "voicemail_detection_enabled": true, "voicemail_message": "vm", "enable_recording": true,
              "kb_threshold": "high", "kb_include_summaries": true, "kb_result_format": "fmt", "kb_enable_llm_processing": true,
              "kb_llm_system_prompt": "kbp",
              "extraction_config": { "prompt": "x", "keys": [ { "name": "k", "type": "string", "description": null } ], "includeToolLogs": true },
              "project_id": "{{projectId}}", "transferEnabled": true, "transferNumber": "+918000000100", "transferMessage": "tm",
              "transfer_instructions": "ti", "endCallEnabled": false, "endCallMessage": "bye", "end_call_instructions": "eci",
              "max_call_duration_secs": 120, "background_audio_id": "{{audioId}}", "background_audio_volume": 0.25
            }
            """)!.AsObject();
        foreach (var (key, value) in expected)
            agent[key].Json().ShouldBe(value.Json(), key);
        agent["pipeline"]!["turn"].Json().ShouldBe("""{"vad_threshold":0.6,"end_of_turn_silence_ms":800,"interruption_min_speech_ms":100,"backchannel_filter":false}""");
    }

    [Fact]
    public async Task Snake_case_wins_when_both_forms_are_sent()
    {
        var partner = await factory.CreatePartnerAsync();
        var agent = await partner.Client.CreateAgentAsync(Minimal("Snake")
            .With("agentName", "Camel")
            .With("transfer_enabled", false).With("transferEnabled", true)
            .With("end_call_message", "snake bye").With("endCallMessage", "camel bye")
            .With("pipeline", JsonNode.Parse("""{"turn":{"vad_threshold":0.3,"vadThreshold":0.9}}""")));

        agent.Str("agent_name").ShouldBe("Snake");
        agent["transferEnabled"]!.GetValue<bool>().ShouldBeFalse();
        agent.Str("endCallMessage").ShouldBe("snake bye");
        agent["pipeline"]!["turn"]!["vad_threshold"]!.GetValue<double>().ShouldBe(0.3);
    }

    [Fact]
    public async Task Body_without_json_content_type_is_accepted_and_unknown_fields_are_ignored()
    {
        var partner = await factory.CreatePartnerAsync();
        var body = Minimal("Plain").With("status", "paused").With("document_count", 9).With("unknown_field", "x");
        var response = await partner.Client.PostAsync("/api/v2/agent", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "text/plain"));
        var agent = await response.ShouldBeSuccessAsync(201);
        agent.Str("status").ShouldBe("active");
        agent["document_count"]!.GetValue<int>().ShouldBe(0);
        agent["unknown_field"].ShouldBeNull();
    }

    [Fact]
    public async Task Agent_name_is_trimmed_and_empty_optional_text_is_null()
    {
        var partner = await factory.CreatePartnerAsync();
        var agent = await partner.Client.CreateAgentAsync(Minimal("  Spaced  ").With("intro_message", "").With("endCallMessage", ""));
        agent.Str("agent_name").ShouldBe("Spaced");
        agent["intro_message"].ShouldBeNull();
        agent["endCallMessage"].ShouldBeNull();
    }

    [Fact]
    public async Task Pipeline_tts_without_voice_id_leaves_voice_id_null()
    {
        var partner = await factory.CreatePartnerAsync();
        var body = new JsonObject
        {
            ["agent_name"] = "Cartesia voice",
            ["prompt"] = "p",
            ["pipeline"] = JsonNode.Parse("""{"tts":{"provider":"cartesia","voice":"b49e0d0f-2219-4425-a765-1efd32beb509","model":"sonic-2"}}"""),
        };
        var agent = await partner.Client.CreateAgentAsync(body);
        agent["voice_id"].ShouldBeNull();
        agent["pipeline"]!["tts"].Json().ShouldBe("""{"provider":"cartesia","voice":"b49e0d0f-2219-4425-a765-1efd32beb509","model":"sonic-2"}""");
        agent.Str("language").ShouldBe("en"); // no catalog voice: the partner's first allowed language
    }

    [Fact]
    public async Task Pipeline_tts_naming_a_catalog_voice_gives_its_language()
    {
        var partner = await factory.CreatePartnerAsync();
        var body = new JsonObject
        {
            ["agent_name"] = "espeak by pipeline",
            ["prompt"] = "p",
            ["pipeline"] = JsonNode.Parse("""{"tts":{"provider":"espeak","voice":"inc/hi"}}"""),
        };
        var agent = await partner.Client.CreateAgentAsync(body);
        agent["voice_id"].ShouldBeNull();
        agent.Str("language").ShouldBe("hi");
    }

    [Fact]
    public async Task Pipeline_tts_keys_override_the_catalog_voice()
    {
        var partner = await factory.CreatePartnerAsync();
        var agent = await partner.Client.CreateAgentAsync(Minimal().With("pipeline", JsonNode.Parse("""{"tts":{"model":"espeak-fast"}}""")));
        agent.Str("voice_id").ShouldBe(HindiVoice);
        agent["pipeline"]!["tts"].Json().ShouldBe("""{"provider":"espeak","voice":"inc/hi","model":"espeak-fast"}""");
    }

    [Fact]
    public async Task Explicit_language_with_region_is_allowed_by_its_base_language()
    {
        var partner = await factory.CreatePartnerAsync();
        var agent = await partner.Client.CreateAgentAsync(Minimal().With("language", "en-IN"));
        agent.Str("language").ShouldBe("en-IN");
        agent["pipeline"]!["stt"]!["language"]!.GetValue<string>().ShouldBe("en-IN");
    }

    [Fact]
    public async Task Custom_llm_base_url_is_accepted_when_the_server_allows_it()
    {
        var partner = await factory.CreatePartnerAsync();
        var agent = await partner.Client.CreateAgentAsync(Minimal().With("pipeline",
            JsonNode.Parse("""{"llm":{"provider":"openai","model":"llama-3.1-8b","base_url":"https://llm.example.com/v1","temperature":0}}""")));
        agent["pipeline"]!["llm"].Json().ShouldBe("""{"provider":"openai","model":"llama-3.1-8b","base_url":"https://llm.example.com/v1","temperature":0}""");

        var http = await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent",
            Minimal("http").With("pipeline", JsonNode.Parse("""{"llm":{"base_url":"http://llm.example.com/v1"}}""")));
        (await http.ShouldBeInvalidAsync("pipeline.llm.base_url")).ShouldContain("https://");
    }

    [Fact]
    public async Task Tts_provider_other_than_the_voice_ids_needs_its_own_voice()
    {
        var partner = await factory.CreatePartnerAsync();
        var response = await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent",
            Minimal().With("pipeline", JsonNode.Parse("""{"tts":{"provider":"cartesia"}}""")));
        await response.ShouldBeInvalidAsync("pipeline.tts.voice");
    }
}
