using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Cloud;

namespace Awaaz.Server.Tests.Voice.Cloud;

public sealed class SarvamSpeechToTextTests : IAsyncLifetime
{
    private FakeWebSocketVendor _fake = null!;

    public async ValueTask InitializeAsync() => _fake = await FakeSarvam.StartSttAsync();
    public async ValueTask DisposeAsync() => await _fake.DisposeAsync();

    private SarvamSpeechToText Stt(Func<SarvamSttSettings, SarvamSttSettings>? change = null, string key = FakeSarvam.Key)
    {
        var settings = new SarvamSttSettings
        {
            ApiKey = key, BaseUrl = new Uri(_fake.WebSocketUrl),
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(20), MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
        };
        return new SarvamSpeechToText(change is null ? settings : change(settings));
    }

    private static short[] Pcm(double seconds, int voice) =>
        Enumerable.Range(0, (int)(seconds * 8000)).Select(i => (short)((i * 53 + voice * 977) % 20000 - 10000)).ToArray();

    private static byte[] Bytes(short[] pcm) => MemoryMarshal.AsBytes(pcm.AsSpan()).ToArray();

    private static async Task SendInFramesAsync(ISpeechRecognition session, short[] pcm)
    {
        for (var offset = 0; offset < pcm.Length; offset += 160)
            await session.SendAsync(pcm.AsMemory(offset, Math.Min(160, pcm.Length - offset)), TestContext.Current.CancellationToken);
    }

    private static async Task<SpeechRecognitionEvent> NextAsync(IAsyncEnumerator<SpeechRecognitionEvent> events)
    {
        (await events.MoveNextAsync().AsTask().WaitAsync(Waits.Soon())).ShouldBeTrue("the event stream ended");
        return events.Current;
    }

    [Fact]
    public async Task Streams_pcm_8k_as_base64_and_each_segment_transcript_ends_an_utterance()
    {
        var first = Pcm(0.2, voice: 1);
        var second = Pcm(0.1, voice: 2);
        _fake.Enqueue(async sarvam =>
        {
            await sarvam.ReceiveAudioAsync(first.Length * 2);
            await sarvam.SendVadAsync("START_SPEECH");
            await sarvam.SendVadAsync("END_SPEECH");
            await sarvam.SendTranscriptAsync("मेरा ऑर्डर कहाँ है");
            await sarvam.ReceiveTypeAsync("flush");
            await sarvam.SendTranscriptAsync("जल्दी बताइए");
            await FakeSarvam.TranscribeOnCloseAsync(sarvam);
        });
        var session = await Stt().StartAsync(new SpeechRecognitionOptions("hi"), TestContext.Current.CancellationToken);
        var events = session.ReadEventsAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        await SendInFramesAsync(session, first);
        (await NextAsync(events)).ShouldBe(new SpeechRecognitionEvent("मेरा ऑर्डर कहाँ है", IsFinal: true, EndOfUtterance: true));
        await SendInFramesAsync(session, second);
        await session.FlushAsync(TestContext.Current.CancellationToken);
        (await NextAsync(events)).ShouldBe(new SpeechRecognitionEvent("जल्दी बताइए", IsFinal: true, EndOfUtterance: true));
        await session.DisposeAsync();
        (await events.MoveNextAsync()).ShouldBeFalse();

        var connection = _fake.Connections.ShouldHaveSingleItem();
        connection.Audio().ShouldBe(Bytes([.. first, .. second]));
        var audio = connection.Received.First(m => m["audio"] is not null)["audio"]!;
        (audio["sample_rate"]!.GetValue<int>(), audio["encoding"]!.GetValue<string>()).ShouldBe((8000, "audio/wav"));
        (connection.Query["language-code"], connection.Query["model"], connection.Query["sample_rate"], connection.Query["input_audio_codec"])
            .ShouldBe(("hi-IN", "saarika:v2.5", "8000", "pcm_s16le"));
        (connection.Query["vad_signals"], connection.Query["flush_signal"]).ShouldBe(("true", "true"));
        connection.Headers["api-subscription-key"].ShouldBe(FakeSarvam.Key);
    }

    [Fact]
    public async Task A_refused_upgrade_or_a_4003_close_is_an_authentication_error()
    {
        var refused = await Should.ThrowAsync<CloudProviderException>(
            () => Stt(key: "sarvam-wrong-1").StartAsync(new SpeechRecognitionOptions("hi"), TestContext.Current.CancellationToken));
        refused.Kind.ShouldBe(CloudProviderErrorKind.Authentication);
        refused.StatusCode.ShouldBe(403);
        refused.Message.ShouldNotContain("sarvam-wrong-1");

        _fake.Enqueue(async sarvam =>
        {
            await sarvam.ReceiveAudioAsync(320);
            await sarvam.CloseAsync((WebSocketCloseStatus)4003, "Forbidden");
        });
        await using var session = await Stt().StartAsync(new SpeechRecognitionOptions("hi"), TestContext.Current.CancellationToken);
        await SendInFramesAsync(session, Pcm(0.02, voice: 3));
        var closed = await Should.ThrowAsync<CloudProviderException>(async () =>
        {
            await foreach (var _ in session.ReadEventsAsync(TestContext.Current.CancellationToken).WithCancellation(Waits.Soon())) { }
        });

        closed.Kind.ShouldBe(CloudProviderErrorKind.Authentication);
        _fake.Attempts.ShouldBe(2); // no reconnect after a refused key
    }

    [Fact]
    public async Task A_drop_reconnects_and_replays_the_audio_since_the_last_transcript()
    {
        var first = Pcm(0.2, voice: 4);
        var second = Pcm(0.2, voice: 5);
        var transcriptSeen = new TaskCompletionSource();
        _fake.Enqueue(
            async sarvam =>
            {
                await sarvam.ReceiveAudioAsync(first.Length * 2);
                await sarvam.SendTranscriptAsync("pehla");
                await transcriptSeen.Task.WaitAsync(Waits.Soon());
                sarvam.Abort();
            },
            async sarvam =>
            {
                await sarvam.ReceiveTypeAsync("flush");
                await sarvam.SendTranscriptAsync("doosra");
                await FakeSarvam.TranscribeOnCloseAsync(sarvam);
            });
        var session = await Stt().StartAsync(new SpeechRecognitionOptions("hi"), TestContext.Current.CancellationToken);
        var events = session.ReadEventsAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        await SendInFramesAsync(session, first);
        (await NextAsync(events)).Text.ShouldBe("pehla");
        transcriptSeen.SetResult();
        await SendInFramesAsync(session, second);
        await session.FlushAsync(TestContext.Current.CancellationToken);

        (await NextAsync(events)).Text.ShouldBe("doosra");
        await session.DisposeAsync();
        _fake.Connections.Count.ShouldBe(2);
        _fake.Connections[1].Audio().ShouldBe(Bytes(second));
    }

    [Fact]
    public async Task Idle_gaps_are_bridged_with_silent_audio()
    {
        var bridged = new TaskCompletionSource();
        _fake.Enqueue(async sarvam =>
        {
            await sarvam.ReceiveAudioAsync(320);
            await sarvam.ReceiveAudioAsync(320 * 3);
            bridged.SetResult();
            await FakeSarvam.TranscribeOnCloseAsync(sarvam);
        });
        var session = await Stt(s => s with { KeepAliveInterval = TimeSpan.FromMilliseconds(100) })
            .StartAsync(new SpeechRecognitionOptions("en-IN"), TestContext.Current.CancellationToken);

        await SendInFramesAsync(session, Pcm(0.02, voice: 6));
        await bridged.Task.WaitAsync(Waits.Soon());
        await session.DisposeAsync();

        var audio = _fake.Connections.ShouldHaveSingleItem().Audio();
        audio[..320].ShouldBe(Bytes(Pcm(0.02, voice: 6)));
        audio[320..].ShouldAllBe(b => b == 0);
    }

    [Fact]
    public void Language_codes_get_the_india_region_and_auto_detects()
    {
        var settings = new SarvamSttSettings { ApiKey = "k" };
        SarvamSpeechToText.ListenUri(settings, new SpeechRecognitionOptions("ta")).Query.ShouldContain("language-code=ta-IN");
        SarvamSpeechToText.ListenUri(settings, new SpeechRecognitionOptions("auto")).Query.ShouldContain("language-code=unknown");
        SarvamSpeechToText.ListenUri(settings, new SpeechRecognitionOptions("en-IN")).Query.ShouldContain("language-code=en-IN");
    }
}

public sealed class SarvamTextToSpeechTests : IAsyncLifetime
{
    private FakeWebSocketVendor _fake = null!;

    public async ValueTask InitializeAsync() => _fake = await FakeSarvam.StartTtsAsync();
    public async ValueTask DisposeAsync() => await _fake.DisposeAsync();

    private SarvamTextToSpeech Tts(string key = FakeSarvam.Key) => new(new SarvamTtsSettings
    {
        ApiKey = key, BaseUrl = new Uri(_fake.WebSocketUrl),
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(20), MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
    });

    private static readonly SpeechSynthesisOptions Anushka = new("anushka", "hi");

    private static async Task<List<byte[]>> ChunksAsync(ITextToSpeech tts, string text, Action<int>? afterChunk = null)
    {
        var chunks = new List<byte[]>();
        await foreach (var chunk in tts.SynthesizeAsync(text, Anushka, TestContext.Current.CancellationToken).WithCancellation(Waits.Soon()))
        {
            chunks.Add(chunk.ToArray());
            afterChunk?.Invoke(chunks.Count);
        }

        return chunks;
    }

    [Fact]
    public async Task Configures_mulaw_8k_sends_the_text_and_flush_and_yields_audio_until_final()
    {
        (await ChunksAsync(Tts(), "Namaste Awaaz")).ShouldBe([FakeWebSocketVendor.AudioOf("Namaste"), FakeWebSocketVendor.AudioOf("Awaaz")]);

        var connection = _fake.Connections.ShouldHaveSingleItem();
        connection.Query["model"].ShouldBe("bulbul:v2");
        var config = connection.Received[0];
        config["type"]!.GetValue<string>().ShouldBe("config");
        var data = config["data"]!;
        (data["target_language_code"]!.GetValue<string>(), data["speaker"]!.GetValue<string>()).ShouldBe(("hi-IN", "anushka"));
        (data["output_audio_codec"]!.GetValue<string>(), data["speech_sample_rate"]!.GetValue<int>()).ShouldBe(("mulaw", 8000));
        connection.Received[1].ToJsonString().ShouldBe("""{"type":"text","data":{"text":"Namaste Awaaz"}}""");
        connection.Received[2].ToJsonString().ShouldBe("""{"type":"flush"}""");
    }

    [Fact]
    public async Task A_refused_key_is_an_authentication_error()
    {
        var failure = await Should.ThrowAsync<CloudProviderException>(() => ChunksAsync(Tts(key: "sarvam-bad-9"), "Namaste"));

        failure.Kind.ShouldBe(CloudProviderErrorKind.Authentication);
        failure.StatusCode.ShouldBe(403);
    }

    [Fact]
    public async Task An_error_message_is_a_rejection()
    {
        _fake.Enqueue(async sarvam =>
        {
            await sarvam.ReceiveSynthesisAsync();
            await sarvam.SendJsonAsync(new JsonObject { ["type"] = "error", ["data"] = new JsonObject { ["message"] = "Speaker 'xyz' is not supported", ["code"] = 400 } });
            await sarvam.ReceiveJsonAsync();
        });

        var failure = await Should.ThrowAsync<CloudProviderException>(() => ChunksAsync(Tts(), "Namaste"));

        failure.Kind.ShouldBe(CloudProviderErrorKind.Rejected);
        failure.Message.ShouldBe("sarvam: Sarvam error 400: Speaker 'xyz' is not supported");
    }

    [Fact]
    public async Task A_drop_before_audio_is_retried_and_one_after_audio_fails_without_repeating_speech()
    {
        _fake.Enqueue(async sarvam =>
        {
            await sarvam.ReceiveSynthesisAsync();
            sarvam.Abort();
        });
        (await ChunksAsync(Tts(), "Ji")).ShouldBe([FakeWebSocketVendor.AudioOf("Ji")]);
        _fake.Connections.Count.ShouldBe(2);

        var firstChunkSeen = new TaskCompletionSource();
        _fake.Enqueue(async sarvam =>
        {
            await sarvam.ReceiveSynthesisAsync();
            await sarvam.SendAudioAsync("Aapka");
            await firstChunkSeen.Task.WaitAsync(Waits.Soon());
            sarvam.Abort();
        });
        var heard = new List<byte[]>();
        var failure = await Should.ThrowAsync<CloudProviderException>(async () =>
        {
            await foreach (var chunk in Tts().SynthesizeAsync("Aapka order", Anushka, TestContext.Current.CancellationToken).WithCancellation(Waits.Soon()))
            {
                heard.Add(chunk.ToArray());
                firstChunkSeen.TrySetResult();
            }
        });

        failure.Kind.ShouldBe(CloudProviderErrorKind.Interrupted);
        heard.ShouldBe([FakeWebSocketVendor.AudioOf("Aapka")]);
        _fake.Connections.Count.ShouldBe(3);
    }
}
