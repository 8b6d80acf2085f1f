using System.Net.WebSockets;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Cloud;

namespace Awaaz.Server.Tests.Voice.Cloud;

public sealed class ElevenLabsTextToSpeechTests : IAsyncLifetime
{
    private FakeWebSocketVendor _fake = null!;

    public async ValueTask InitializeAsync() => _fake = await FakeElevenLabs.StartAsync();
    public async ValueTask DisposeAsync() => await _fake.DisposeAsync();

    private ElevenLabsTextToSpeech Tts(Func<ElevenLabsSettings, ElevenLabsSettings>? change = null, string key = FakeElevenLabs.Key)
    {
        var settings = new ElevenLabsSettings
        {
            ApiKey = key, BaseUrl = new Uri(_fake.WebSocketUrl),
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(20), MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
        };
        return new ElevenLabsTextToSpeech(change is null ? settings : change(settings));
    }

    private static readonly SpeechSynthesisOptions Voice = new("voice-priya", "hi-IN");

    private static byte[] AudioOf(params string[] words) => words.SelectMany(w => FakeWebSocketVendor.AudioOf(w)).ToArray();

    private static async Task<byte[]> SpeakAllAsync(ITextToSpeech tts, string text)
    {
        var audio = new List<byte>();
        await foreach (var chunk in tts.SynthesizeAsync(text, Voice, TestContext.Current.CancellationToken).WithCancellation(Waits.Soon()))
            audio.AddRange(chunk.ToArray());
        return audio.ToArray();
    }

    [Fact]
    public async Task Yields_each_audio_chunk_as_it_arrives_with_the_documented_messages()
    {
        var firstChunkSeen = new TaskCompletionSource();
        _fake.Enqueue(async el =>
        {
            await el.ReceiveUtteranceAsync();
            await el.SendWordAsync("Namaste");
            await firstChunkSeen.Task.WaitAsync(Waits.Soon()); // the client has it before the rest exists
            await el.SendWordAsync("ji");
            await el.SendFinalAsync();
        });

        var chunks = new List<byte[]>();
        await foreach (var chunk in Tts().SynthesizeAsync("Namaste ji", Voice, TestContext.Current.CancellationToken).WithCancellation(Waits.Soon()))
        {
            chunks.Add(chunk.ToArray());
            firstChunkSeen.TrySetResult();
        }

        chunks.ShouldBe([AudioOf("Namaste"), AudioOf("ji")]);
        var el = _fake.Connections.ShouldHaveSingleItem();
        el.Path.ShouldBe("/v1/text-to-speech/voice-priya/stream-input");
        (el.Query["model_id"], el.Query["output_format"], el.Query["language_code"]).ShouldBe(("eleven_flash_v2_5", "ulaw_8000", "hi"));
        el.Received.Select(m => m.ToJsonString()).ShouldBe(["""{"text":" "}""", """{"text":"Namaste ji ","flush":true}""", """{"text":""}"""]);
    }

    [Fact]
    public async Task A_rejected_key_is_an_authentication_error()
    {
        var failure = await Should.ThrowAsync<CloudProviderException>(() => SpeakAllAsync(Tts(key: "xi-wrong-key-777"), "Namaste"));

        failure.Kind.ShouldBe(CloudProviderErrorKind.Authentication);
        failure.StatusCode.ShouldBe(401);
        failure.Message.ShouldNotContain("xi-wrong-key-777");
        _fake.Attempts.ShouldBe(1);
    }

    [Fact]
    public async Task A_policy_close_about_the_quota_is_a_rejection_without_reconnects()
    {
        _fake.Enqueue(async el =>
        {
            await el.ReceiveUtteranceAsync();
            await el.CloseAsync(WebSocketCloseStatus.PolicyViolation, "This request exceeds your quota of 10000.");
        });

        var failure = await Should.ThrowAsync<CloudProviderException>(() => SpeakAllAsync(Tts(), "Namaste"));

        failure.Kind.ShouldBe(CloudProviderErrorKind.Rejected);
        failure.Message.ShouldContain("exceeds your quota");
        _fake.Attempts.ShouldBe(1);
    }

    [Fact]
    public async Task A_drop_mid_utterance_reconnects_and_speaks_only_the_words_not_yet_heard()
    {
        var twoWordsHeard = new TaskCompletionSource();
        _fake.Enqueue(async el =>
        {
            await el.ReceiveUtteranceAsync();
            await el.SendWordAsync("Aapka");
            await el.SendWordAsync("order");
            await twoWordsHeard.Task.WaitAsync(Waits.Soon());
            el.Abort();
        });

        var audio = new List<byte>();
        var chunks = 0;
        await foreach (var chunk in Tts().SynthesizeAsync("Aapka order kal tak pahunchega.", Voice, TestContext.Current.CancellationToken).WithCancellation(Waits.Soon()))
        {
            audio.AddRange(chunk.ToArray());
            if (++chunks == 2) twoWordsHeard.SetResult();
        }

        audio.ToArray().ShouldBe(AudioOf("Aapka", "order", "kal", "tak", "pahunchega."));
        _fake.Connections.Count.ShouldBe(2);
        _fake.Connections[1].Received[1]["text"]!.GetValue<string>().ShouldBe("kal tak pahunchega. ");
    }

    [Fact]
    public async Task A_drop_before_any_audio_retries_the_whole_text()
    {
        _fake.Enqueue(async el =>
        {
            await el.ReceiveUtteranceAsync();
            el.Abort();
        });

        (await SpeakAllAsync(Tts(), "Shukriya")).ShouldBe(AudioOf("Shukriya"));
        _fake.Connections.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_slow_first_chunk_is_waited_for_and_a_missing_one_times_out()
    {
        var speak = new TaskCompletionSource();
        var textIn = new TaskCompletionSource();
        _fake.Enqueue(async el =>
        {
            await el.ReceiveUtteranceAsync();
            textIn.SetResult();
            await speak.Task.WaitAsync(Waits.Soon());
            await el.SendWordAsync("Haan");
            await el.SendFinalAsync();
        });
        var pending = SpeakAllAsync(Tts(), "Haan");
        await textIn.Task.WaitAsync(Waits.Soon());
        pending.IsCompleted.ShouldBeFalse();
        speak.SetResult();
        (await pending).ShouldBe(AudioOf("Haan"));

        var never = new TaskCompletionSource();
        Func<FakeWebSocketVendor.Connection, Task> silent = async el =>
        {
            await el.ReceiveUtteranceAsync();
            await never.Task.WaitAsync(Waits.Soon());
        };
        _fake.Enqueue(silent, silent);
        var failure = await Should.ThrowAsync<CloudProviderException>(() =>
            SpeakAllAsync(Tts(s => s with { FirstChunkTimeout = TimeSpan.FromMilliseconds(200), MaxReconnectAttempts = 1 }), "Hello"));
        never.SetResult();

        failure.Kind.ShouldBe(CloudProviderErrorKind.Timeout);
        _fake.Attempts.ShouldBe(1 + 2);
    }

    [Fact]
    public void Resuming_starts_at_the_word_whose_audio_did_not_arrive_whole()
    {
        SpeechProgress.FromWordContaining("Aapka order kal", 6).ShouldBe("order kal");
        SpeechProgress.FromWordContaining("Aapka order kal", 8).ShouldBe("order kal");
        SpeechProgress.FromWordContaining("Aapka order kal", 12).ShouldBe("kal");
        SpeechProgress.FromWordContaining("Aapka order kal", 15).ShouldBe("");
        SpeechProgress.AfterWords("Aapka  order kal", 2).ShouldBe("kal");
        SpeechProgress.AfterWords("Aapka order", 5).ShouldBe("");
    }
}
