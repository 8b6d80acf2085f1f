using System.Text.Json.Nodes;
using Awaaz.Server.Partners;
using static Awaaz.Server.Tests.Agents.AgentTestKit;

namespace Awaaz.Server.Tests.Agents;

public sealed class AgentValidationTests(AwaazFactory factory) : IClassFixture<AwaazFactory>
{
    private static string Text(int length) => new('x', length);

    private static string Keys(int count) =>
        "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $$$"""{"name":"k{{{i}}}"}""")) + "]";

    /// <summary>(top-level key → JSON value merged into a valid create body, expected error field).</summary>
    public static TheoryData<string, string, string> InvalidFields => new()
    {
        { "agent_name", "\"\"", "agent_name" },
        { "agent_name", "\"   \"", "agent_name" },
        { "agent_name", $"\"{Text(51)}\"", "agent_name" },
        { "agent_name", "null", "agent_name" },
        { "agent_name", "42", "agent_name" },
        { "prompt", "\"\"", "prompt" },
        { "prompt", $"\"{Text(120_001)}\"", "prompt" },
        { "voice_id", "\"not-a-uuid\"", "voice_id" },
        { "voice_id", "\"00000000-0000-4000-8000-000000000000\"", "voice_id" },
        { "language", "\"english!\"", "language" },
        { "language", "\"fr\"", "language" },
        { "agent_type", "\"sideways\"", "agent_type" },
        { "agent_type", "null", "agent_type" },
        { "intro_message", $"\"{Text(501)}\"", "intro_message" },
        { "voicemail_detection_enabled", "\"yes\"", "voicemail_detection_enabled" },
        { "voicemail_message", $"\"{Text(501)}\"", "voicemail_message" },
        { "enable_recording", "1", "enable_recording" },
        { "kb_threshold", "\"extreme\"", "kb_threshold" },
        { "kb_include_summaries", "null", "kb_include_summaries" },
        { "kb_result_format", $"\"{Text(2001)}\"", "kb_result_format" },
        { "kb_enable_llm_processing", "\"true\"", "kb_enable_llm_processing" },
        { "kb_llm_system_prompt", $"\"{Text(120_001)}\"", "kb_llm_system_prompt" },
        { "variables", "\"callee_name\"", "variables" },
        { "variables", "[\"1abc\"]", "variables[0]" },
        { "variables", "[\"ok\",\"has space\"]", "variables[1]" },
        { "variables", "[\"a\",\"a\"]", "variables[1]" },
        { "variables", "[\"a\",7]", "variables[1]" },
        { "variables", "[" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"v{i}\"")) + "]", "variables" },
        { "extraction_config", "\"x\"", "extraction_config" },
        { "extraction_config", """{"keys":[{"name":"a"}]}""", "extraction_config.prompt" },
        { "extraction_config", $$$"""{"prompt":"{{{Text(20_001)}}}","keys":[{"name":"a"}]}""", "extraction_config.prompt" },
        { "extraction_config", """{"prompt":"p"}""", "extraction_config.keys" },
        { "extraction_config", """{"prompt":"p","keys":[]}""", "extraction_config.keys" },
        { "extraction_config", $$$"""{"prompt":"p","keys":{{{Keys(51)}}}}""", "extraction_config.keys" },
        { "extraction_config", """{"prompt":"p","keys":[{"name":"a"},{"name":"b"},{"name":"2c"}]}""", "extraction_config.keys[2].name" },
        { "extraction_config", """{"prompt":"p","keys":[{"name":"a"},{"name":"a"}]}""", "extraction_config.keys[1].name" },
        { "extraction_config", """{"prompt":"p","keys":[{"description":"no name"}]}""", "extraction_config.keys[0].name" },
        { "extraction_config", """{"prompt":"p","keys":[{"name":"a","type":"money"}]}""", "extraction_config.keys[0].type" },
        { "extraction_config", $$$"""{"prompt":"p","keys":[{"name":"a","description":"{{{Text(501)}}}"}]}""", "extraction_config.keys[0].description" },
        { "extraction_config", """{"prompt":"p","keys":["a"]}""", "extraction_config.keys[0]" },
        { "extraction_config", """{"prompt":"p","keys":[{"name":"a"}],"includeToolLogs":"no"}""", "extraction_config.include_tool_logs" },
        { "project_id", "\"project-1\"", "project_id" },
        { "transfer_number", "\"8000000100\"", "transfer_number" },
        { "transfer_number", "\"+0123456789\"", "transfer_number" },
        { "transferEnabled", "true", "transfer_number" },
        { "transfer_message", $"\"{Text(501)}\"", "transfer_message" },
        { "transfer_instructions", $"\"{Text(2001)}\"", "transfer_instructions" },
        { "end_call_enabled", "\"false\"", "end_call_enabled" },
        { "end_call_message", $"\"{Text(501)}\"", "end_call_message" },
        { "end_call_instructions", $"\"{Text(2001)}\"", "end_call_instructions" },
        { "max_call_duration_secs", "59", "max_call_duration_secs" },
        { "max_call_duration_secs", "3601", "max_call_duration_secs" },
        { "max_call_duration_secs", "600.5", "max_call_duration_secs" },
        { "max_call_duration_secs", "\"600\"", "max_call_duration_secs" },
        { "background_audio_id", "\"bg\"", "background_audio_id" },
        { "background_audio_volume", "1.5", "background_audio_volume" },
        { "background_audio_volume", "-0.1", "background_audio_volume" },
        { "background_audio_volume", "null", "background_audio_volume" },
        { "pipeline", "[]", "pipeline" },
        { "pipeline", """{"stt":"deepgram"}""", "pipeline.stt" },
        { "pipeline", """{"stt":{"provider":"deepgram"}}""", "pipeline.stt.provider" },
        { "pipeline", $$$"""{"stt":{"model":"{{{Text(101)}}}"}}""", "pipeline.stt.model" },
        { "pipeline", """{"stt":{"language":"hindi language"}}""", "pipeline.stt.language" },
        { "pipeline", """{"llm":{"provider":"openai"}}""", "pipeline.llm.provider" },
        { "pipeline", $$$"""{"llm":{"model":"{{{Text(101)}}}"}}""", "pipeline.llm.model" },
        { "pipeline", """{"llm":{"temperature":2.5}}""", "pipeline.llm.temperature" },
        { "pipeline", """{"llm":{"temperature":-1}}""", "pipeline.llm.temperature" },
        { "pipeline", """{"llm":{"base_url":"https://llm.example.com/v1"}}""", "pipeline.llm.base_url" },
        { "pipeline", """{"tts":{"provider":"elevenlabs","voice":"v"}}""", "pipeline.tts.provider" },
        { "pipeline", $$$"""{"tts":{"voice":"{{{Text(201)}}}"}}""", "pipeline.tts.voice" },
        { "pipeline", $$$"""{"tts":{"model":"{{{Text(101)}}}"}}""", "pipeline.tts.model" },
        { "pipeline", """{"turn":{"vad_threshold":0.05}}""", "pipeline.turn.vad_threshold" },
        { "pipeline", """{"turn":{"vad_threshold":0.96}}""", "pipeline.turn.vad_threshold" },
        { "pipeline", """{"turn":{"end_of_turn_silence_ms":199}}""", "pipeline.turn.end_of_turn_silence_ms" },
        { "pipeline", """{"turn":{"end_of_turn_silence_ms":3001}}""", "pipeline.turn.end_of_turn_silence_ms" },
        { "pipeline", """{"turn":{"interruption_min_speech_ms":-1}}""", "pipeline.turn.interruption_min_speech_ms" },
        { "pipeline", """{"turn":{"interruption_min_speech_ms":5001}}""", "pipeline.turn.interruption_min_speech_ms" },
        { "pipeline", """{"turn":{"backchannel_filter":"yes"}}""", "pipeline.turn.backchannel_filter" },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public async Task Invalid_field_is_400_naming_its_path(string key, string json, string field)
    {
        var partner = await factory.CreatePartnerAsync(configure: Unthrottled);
        var body = Minimal().With(key, JsonNode.Parse(json));
        var response = await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", body);
        await response.ShouldBeInvalidAsync(field);
        (await factory.Service<Server.Agents.AgentStore>().CountAsync(partner.Partner.Id)).ShouldBe(0);
    }

    [Theory]
    [InlineData("agent_name")]
    [InlineData("prompt")]
    [InlineData("voice_id")]
    public async Task Required_field_missing_on_create_is_400(string missing)
    {
        var partner = await factory.CreatePartnerAsync();
        var body = Minimal();
        body.Remove(missing);
        (await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", body)).ShouldBeInvalidAsync(missing)).ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Missing_voice_says_pipeline_tts_voice_is_the_alternative()
    {
        var partner = await factory.CreatePartnerAsync();
        var body = Minimal();
        body.Remove("voice_id");
        var message = await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", body)).ShouldBeInvalidAsync("voice_id");
        message.ShouldBe("is required unless pipeline.tts.voice is given");
    }

    [Fact]
    public async Task Several_problems_are_reported_together()
    {
        var partner = await factory.CreatePartnerAsync();
        var body = JsonNode.Parse("""{"agent_name":"","pipeline":{"turn":{"vad_threshold":5}},"max_call_duration_secs":1}""")!;
        var error = await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", body)).ShouldBeErrorAsync(400, "VALIDATION_ERROR");
        var fields = error["details"]!["fields"]!.AsArray().Select(f => f!["field"]!.GetValue<string>()).ToArray();
        fields.ShouldBe(["agent_name", "prompt", "max_call_duration_secs", "pipeline.turn.vad_threshold"], ignoreOrder: true);
    }

    [Theory]
    [InlineData("{\"agent_name\": ")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public async Task Malformed_body_is_400_on_body(string raw)
    {
        var partner = await factory.CreatePartnerAsync();
        await (await partner.Client.PostRawAsync("/api/v2/agent", raw)).ShouldBeInvalidAsync("body");
    }

    [Theory]
    [InlineData("\"agent_name\":\"Nul\\u0000Agent\",\"prompt\":\"p\"", "agent_name", "must not contain NUL characters")]
    [InlineData("\"agent_name\":\"Lone\",\"prompt\":\"half \\ud800 a pair\"", "prompt", "contains an unpaired UTF-16 surrogate escape")]
    [InlineData("\"agent_name\":\"Vars\",\"prompt\":\"p\",\"variables\":[\"ok\",\"\\udc00\"]", "variables[1]", "contains an unpaired UTF-16 surrogate escape")]
    public async Task Strings_the_database_cannot_hold_are_400_not_500(string fields, string field, string message)
    {
        var partner = await factory.CreatePartnerAsync();
        var raw = $$$"""{"voice_id":"{{{HindiVoice}}}",{{{fields}}}}""";
        (await (await partner.Client.PostRawAsync("/api/v2/agent", raw)).ShouldBeInvalidAsync(field)).ShouldBe(message);
    }

    [Fact]
    public async Task Voice_outside_the_partners_allowed_voices_is_400()
    {
        var partner = await factory.CreatePartnerAsync(configure: p => p with { AllowedVoices = [EnglishUsVoice] });
        var message = await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal(voiceId: HindiVoice))).ShouldBeInvalidAsync("voice_id");
        message.ShouldBe("is not allowed for this account");
        await partner.Client.CreateAgentAsync(Minimal(voiceId: EnglishUsVoice));
    }

    [Fact]
    public async Task Language_must_be_allowed_for_the_partner()
    {
        var partner = await factory.CreatePartnerAsync(configure: p => p with { AllowedLanguages = ["hi"] });
        // The default is the voice's language, which must be allowed too.
        var message = await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal(voiceId: EnglishUsVoice))).ShouldBeInvalidAsync("language");
        message.ShouldContain("en-us");
        await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal(voiceId: HindiVoice).With("language", "en"))).ShouldBeInvalidAsync("language");
        var agent = await partner.Client.CreateAgentAsync(Minimal(voiceId: EnglishUsVoice).With("language", "hi"));
        agent.Str("language").ShouldBe("hi");
    }

    [Fact]
    public async Task Transfer_enabled_needs_a_number_in_either_casing()
    {
        var partner = await factory.CreatePartnerAsync();
        var message = await (await partner.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/agent", Minimal().With("transfer_enabled", true))).ShouldBeInvalidAsync("transfer_number");
        message.ShouldBe("is required when transfer is enabled");
        var agent = await partner.Client.CreateAgentAsync(Minimal().With("transfer_enabled", true).With("transferNumber", "+918000000100"));
        agent["transferEnabled"]!.GetValue<bool>().ShouldBeTrue();
        agent.Str("transferNumber").ShouldBe("+918000000100");
    }

    [Fact]
    public async Task Null_max_call_duration_means_the_platform_cap()
    {
        var partner = await factory.CreatePartnerAsync();
        var agent = await partner.Client.CreateAgentAsync(Minimal().With("max_call_duration_secs", null));
        agent["max_call_duration_secs"].ShouldBeNull();
        var bounds = await partner.Client.CreateAgentAsync(Minimal("Bounds").With("max_call_duration_secs", 3600));
        bounds["max_call_duration_secs"]!.GetValue<int>().ShouldBe(3600);
    }

    [Fact]
    public async Task Boundary_values_are_accepted()
    {
        var partner = await factory.CreatePartnerAsync();
        var agent = await partner.Client.CreateAgentAsync(Minimal(Text(50))
            .With("max_call_duration_secs", 60)
            .With("background_audio_volume", 1)
            .With("intro_message", Text(500))
            .With("variables", JsonNode.Parse("[" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"v{i}\"")) + "]"))
            .With("extraction_config", JsonNode.Parse($$$"""{"prompt":"p","keys":{{{Keys(50)}}}}"""))
            .With("pipeline", JsonNode.Parse("""{"llm":{"temperature":2},"turn":{"vad_threshold":0.95,"end_of_turn_silence_ms":200,"interruption_min_speech_ms":0},"stt":{"language":"auto"}}""")));
        agent.Str("agent_name").Length.ShouldBe(50);
        agent["variables"]!.AsArray().Count.ShouldBe(100);
        agent["extraction_config"]!["keys"]!.AsArray().Count.ShouldBe(50);
        agent["pipeline"]!["stt"]!["language"]!.GetValue<string>().ShouldBe("auto");
        agent["pipeline"]!["turn"].Json().ShouldBe("""{"vad_threshold":0.95,"end_of_turn_silence_ms":200,"interruption_min_speech_ms":0,"backchannel_filter":true}""");
    }

    [Fact]
    public async Task Extraction_config_keeps_key_types_and_descriptions()
    {
        var partner = await factory.CreatePartnerAsync();
        var config = JsonNode.Parse("""
            {
              "prompt": "Analyse the conversation and extract the fields.",
              "keys": [
                { "name": "interested", "type": "boolean", "description": "Did the customer show interest?" },
                { "name": "callback_at", "type": "datetime", "description": "Agreed callback time, if any" },
                { "name": "outcome", "type": "string", "description": "One of interested, not_interested, callback_requested" },
                { "name": "topics", "type": "array" }
              ],
              "includeToolLogs": false
            }
            """);
        var agent = await partner.Client.CreateAgentAsync(Minimal().With("extraction_config", config));
        agent["extraction_config"].Json().ShouldBe(JsonNode.Parse("""
            {
              "prompt": "Analyse the conversation and extract the fields.",
              "keys": [
                { "name": "interested", "type": "boolean", "description": "Did the customer show interest?" },
                { "name": "callback_at", "type": "datetime", "description": "Agreed callback time, if any" },
                { "name": "outcome", "type": "string", "description": "One of interested, not_interested, callback_requested" },
                { "name": "topics", "type": "array", "description": null }
              ],
              "includeToolLogs": false
            }
            """).Json());
    }
}
