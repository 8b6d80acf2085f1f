using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Cloud;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;

namespace Awaaz.Server.Tests.Voice.Cloud;

public sealed class CloudProvidersTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Only_providers_with_a_key_exist_and_the_pipeline_lists_exactly_those()
    {
        var configuration = Config(("DEEPGRAM_API_KEY", "dg"), ("ELEVENLABS_API_KEY", "el"), ("SARVAM_API_KEY", "  "));
        var cloud = new CloudProviders(configuration);

        cloud.Stt("deepgram").ShouldBeOfType<DeepgramSpeechToText>().Name.ShouldBe("deepgram");
        cloud.Tts("elevenlabs").ShouldBeOfType<ElevenLabsTextToSpeech>();
        cloud.Stt("sarvam").ShouldBeNull();   // blank key
        cloud.Tts("cartesia").ShouldBeNull(); // no key
        cloud.Llm("openai").ShouldBeNull();
        cloud.Stt("elevenlabs").ShouldBeNull(); // not a recognizer
        cloud.Tts("pocketsphinx").ShouldBeNull();

        var pipeline = new PipelineProviders(configuration);
        pipeline.Stt.ShouldBe(["deepgram", "pocketsphinx"]);
        pipeline.Tts.ShouldBe(["elevenlabs", "espeak"]);
        pipeline.Llm.ShouldBe(["scripted"]);
    }

    [Fact]
    public void Every_key_enables_its_provider_in_preference_order()
    {
        var configuration = Config(CloudProviders.KeyNames.Values.Select(k => (k, "key")).ToArray());
        var cloud = new CloudProviders(configuration);

        new PipelineProviders(configuration).Stt.ShouldBe(["deepgram", "sarvam", "pocketsphinx"]);
        new PipelineProviders(configuration).Tts.ShouldBe(["cartesia", "elevenlabs", "sarvam", "espeak"]);
        new PipelineProviders(configuration).Llm.ShouldBe(["openai", "scripted"]);
        cloud.Stt("sarvam").ShouldBeOfType<SarvamSpeechToText>();
        cloud.Tts("cartesia").ShouldBeOfType<CartesiaTextToSpeech>();
        cloud.Tts("sarvam").ShouldBeOfType<SarvamTextToSpeech>();
        cloud.Llm("openai").ShouldBeOfType<OpenAiChatClient>();
    }

    [Fact]
    public async Task Base_urls_from_configuration_point_the_providers_elsewhere()
    {
        await using var deepgram = await FakeDeepgram.StartAsync();
        await using var openAi = await FakeOpenAi.StartAsync();
        openAi.Enqueue(FakeOpenAi.Text("configured"));
        var cloud = new CloudProviders(Config(
            ("DEEPGRAM_API_KEY", FakeDeepgram.Key), ("DEEPGRAM_BASE_URL", deepgram.BaseUrl),
            ("OPENAI_API_KEY", FakeOpenAi.Key), ("OPENAI_BASE_URL", openAi.BaseUrl)));

        await using (await cloud.Stt("deepgram")!.StartAsync(new SpeechRecognitionOptions("hi"), TestContext.Current.CancellationToken)) { }
        var answer = await cloud.Llm("openai", model: "gpt-x", temperature: 0.2)!.GetResponseAsync("hi", cancellationToken: TestContext.Current.CancellationToken);

        deepgram.Connections.Count.ShouldBe(1);
        answer.Text.ShouldBe("configured");
        openAi.Requests.Single().Body["model"]!.GetValue<string>().ShouldBe("gpt-x");
    }

    [Fact]
    public async Task An_agents_own_base_url_never_receives_the_operators_key()
    {
        await using var operatorEndpoint = await FakeOpenAi.StartAsync();
        await using var elsewhere = await FakeOpenAi.StartAsync();
        var cloud = new CloudProviders(Config(("OPENAI_API_KEY", FakeOpenAi.Key), ("OPENAI_BASE_URL", operatorEndpoint.BaseUrl)));

        var failure = await Should.ThrowAsync<CloudProviderException>(() =>
            cloud.Llm("openai", baseUrl: elsewhere.BaseUrl)!.GetResponseAsync("hi", cancellationToken: TestContext.Current.CancellationToken));

        failure.Kind.ShouldBe(CloudProviderErrorKind.Authentication);
        elsewhere.Requests.Single().Authorization.ShouldBe("Bearer none");
        operatorEndpoint.Requests.ShouldBeEmpty();
    }
}
