using Awaaz.Media;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Cloud;

namespace Awaaz.Server.Tests.Voice.Cloud;

public sealed class DeepgramSpeechToTextTests : IAsyncLifetime
{
    private FakeDeepgram _fake = null!;

    public async ValueTask InitializeAsync() => _fake = await FakeDeepgram.StartAsync();
    public async ValueTask DisposeAsync() => await _fake.DisposeAsync();

    private DeepgramSpeechToText Stt(Func<DeepgramSettings, DeepgramSettings>? change = null, string key = FakeDeepgram.Key)
    {
        var settings = new DeepgramSettings
        {
            ApiKey = key, BaseUrl = new Uri(_fake.BaseUrl),
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(20), MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
        };
        return new DeepgramSpeechToText(change is null ? settings : change(settings));
    }

    private static readonly SpeechRecognitionOptions Hindi = new("hi");

    /// <summary>Distinct 8 kHz samples so every byte of the µ-law stream can be traced.</summary>
    private static short[] Pcm(double seconds, int voice) =>
        Enumerable.Range(0, (int)(seconds * 8000)).Select(i => (short)((i * 37 + voice * 1013) % 16000 - 8000)).ToArray();

    private static byte[] MuLawOf(short[] pcm)
    {
        var codes = new byte[pcm.Length];
        MuLaw.Encode(pcm, codes);
        return codes;
    }

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
    public async Task Streams_mulaw_and_turns_interim_final_and_speech_final_results_into_events()
    {
        var speech = Pcm(0.4, voice: 1);
        _fake.Enqueue(async dg =>
        {
            await dg.ReceiveAudioAsync(1600);
            await dg.SendResultsAsync("namaste", isFinal: false, start: 0, duration: 0.2);
            await dg.ReceiveAudioAsync(3200);
            await dg.SendResultsAsync("namaste ji", isFinal: true, speechFinal: true, start: 0, duration: 0.4, confidence: 0.91);
            await FakeDeepgram.Connection.AnswerCloseStream(dg);
        });
        var session = await Stt().StartAsync(Hindi with { Phrases = ["Awaaz"] }, TestContext.Current.CancellationToken);
        var events = session.ReadEventsAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        await SendInFramesAsync(session, speech);

        (await NextAsync(events)).ShouldBe(new SpeechRecognitionEvent("namaste", IsFinal: false, EndOfUtterance: false, Confidence: 0.97));
        (await NextAsync(events)).ShouldBe(new SpeechRecognitionEvent("namaste ji", IsFinal: true, EndOfUtterance: true, Confidence: 0.91));
        await session.DisposeAsync();
        (await events.MoveNextAsync()).ShouldBeFalse();

        var dg = _fake.Connections.ShouldHaveSingleItem();
        dg.Audio.ShouldBe(MuLawOf(speech));
        dg.ControlMessages.ShouldBe(["CloseStream"]);
        var query = dg.Query;
        (query["encoding"], query["sample_rate"], query["model"], query["language"]).ShouldBe(("mulaw", "8000", "nova-3", "hi"));
        (query["interim_results"], query["endpointing"], query["utterance_end_ms"]).ShouldBe(("true", "300", "1000"));
        query["keyterm"].ShouldBe("Awaaz");
    }

    [Fact]
    public async Task Flush_sends_finalize_and_its_answer_ends_the_utterance_as_does_utterance_end()
    {
        _fake.Enqueue(async dg =>
        {
            await dg.ReceiveAudioAsync(1600);
            await dg.SendResultsAsync("mera order", isFinal: true, start: 0, duration: 0.2);
            await dg.SendUtteranceEndAsync(0.2);
            await dg.ReceiveControlAsync("Finalize");
            await dg.SendResultsAsync("kahan hai", isFinal: true, start: 0.2, duration: 0.2, fromFinalize: true);
            await FakeDeepgram.Connection.AnswerCloseStream(dg);
        });
        await using var session = await Stt().StartAsync(Hindi, TestContext.Current.CancellationToken);
        var events = session.ReadEventsAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        await SendInFramesAsync(session, Pcm(0.2, voice: 2));
        (await NextAsync(events)).ShouldBe(new SpeechRecognitionEvent("mera order", true, false, 0.97));
        (await NextAsync(events)).ShouldBe(new SpeechRecognitionEvent("", IsFinal: true, EndOfUtterance: true));

        await SendInFramesAsync(session, Pcm(0.2, voice: 3));
        await session.FlushAsync(TestContext.Current.CancellationToken);
        (await NextAsync(events)).ShouldBe(new SpeechRecognitionEvent("kahan hai", true, true, 0.97));
    }

    [Fact]
    public async Task A_rejected_key_fails_the_start_with_an_authentication_error()
    {
        var failure = await Should.ThrowAsync<CloudProviderException>(
            () => Stt(key: "wrong-deepgram-key").StartAsync(Hindi, TestContext.Current.CancellationToken));

        failure.Kind.ShouldBe(CloudProviderErrorKind.Authentication);
        failure.StatusCode.ShouldBe(401);
        failure.Message.ShouldContain("Invalid credentials.");
        failure.Message.ShouldNotContain("wrong-deepgram-key");
        _fake.Connections.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_socket_dropped_mid_utterance_reconnects_replays_unsettled_audio_and_finishes_the_turn()
    {
        var first = Pcm(0.4, voice: 4);
        var second = Pcm(0.4, voice: 5);
        var stream = MuLawOf([.. first, .. second]);
        var pehlaDelivered = new TaskCompletionSource();
        _fake.Enqueue(
            async dg =>
            {
                await dg.ReceiveAudioAsync(3200);
                await dg.SendResultsAsync("pehla hissa", isFinal: true, start: 0, duration: 0.2); // settles 0–0.2 s only
                await pehlaDelivered.Task.WaitAsync(Waits.Soon());
                dg.Abort();
            },
            async dg =>
            {
                await dg.ReceiveControlAsync("Finalize");
                await dg.SendResultsAsync("doosra hissa", isFinal: true, start: 0, duration: 0.6, fromFinalize: true);
                await FakeDeepgram.Connection.AnswerCloseStream(dg);
            });
        var session = await Stt().StartAsync(Hindi, TestContext.Current.CancellationToken);
        var events = session.ReadEventsAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        await SendInFramesAsync(session, first);
        (await NextAsync(events)).Text.ShouldBe("pehla hissa");
        pehlaDelivered.SetResult();
        await SendInFramesAsync(session, second);
        await session.FlushAsync(TestContext.Current.CancellationToken);

        (await NextAsync(events)).ShouldBe(new SpeechRecognitionEvent("doosra hissa", IsFinal: true, EndOfUtterance: true, Confidence: 0.97));
        await session.DisposeAsync();
        (await events.MoveNextAsync()).ShouldBeFalse();

        _fake.Connections.Count.ShouldBe(2);
        _fake.Connections[1].Audio.ShouldBe(stream[1600..]); // everything after the settled 0.2 s, once, in order
        _fake.Connections[1].ControlMessages.ShouldBe(["Finalize", "CloseStream"]);
    }

    [Fact]
    public async Task A_slow_first_result_is_waited_for_on_the_same_connection()
    {
        var answer = new TaskCompletionSource();
        var audioIn = new TaskCompletionSource();
        _fake.Enqueue(async dg =>
        {
            await dg.ReceiveAudioAsync(1600);
            audioIn.SetResult();
            await answer.Task.WaitAsync(Waits.Soon());
            await dg.SendResultsAsync("der se", isFinal: true, speechFinal: true, start: 0, duration: 0.2);
            await FakeDeepgram.Connection.AnswerCloseStream(dg);
        });
        await using var session = await Stt().StartAsync(Hindi, TestContext.Current.CancellationToken);
        var events = session.ReadEventsAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        await SendInFramesAsync(session, Pcm(0.2, voice: 6));
        var next = events.MoveNextAsync().AsTask();
        await audioIn.Task.WaitAsync(Waits.Soon());
        next.IsCompleted.ShouldBeFalse();
        answer.SetResult();

        (await next.WaitAsync(Waits.Soon())).ShouldBeTrue();
        events.Current.Text.ShouldBe("der se");
        _fake.Connections.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Silence_is_bridged_with_keep_alive_text_messages()
    {
        var keptAlive = new TaskCompletionSource();
        _fake.Enqueue(async dg =>
        {
            await dg.ReceiveAudioAsync(160);
            await dg.ReceiveControlAsync("KeepAlive");
            await dg.ReceiveControlAsync("KeepAlive");
            keptAlive.SetResult();
            await FakeDeepgram.Connection.AnswerCloseStream(dg);
        });
        var session = await Stt(s => s with { KeepAliveInterval = TimeSpan.FromMilliseconds(100) }).StartAsync(Hindi, TestContext.Current.CancellationToken);

        await SendInFramesAsync(session, Pcm(0.02, voice: 7)); // one frame, then the bot talks and the caller is silent
        await keptAlive.Task.WaitAsync(Waits.Soon());
        await session.DisposeAsync();

        var dg = _fake.Connections.ShouldHaveSingleItem();
        dg.Messages.Where(m => m.ControlType == "KeepAlive").ShouldAllBe(m => m.Text == """{"type":"KeepAlive"}""");
        dg.ControlMessages.Take(2).ShouldBe(["KeepAlive", "KeepAlive"]);
        dg.ControlMessages.Last().ShouldBe("CloseStream");
    }

    [Fact]
    public async Task When_every_reconnect_fails_the_events_end_with_an_interrupted_error()
    {
        var dropped = new TaskCompletionSource();
        _fake.Enqueue(async dg =>
        {
            await dg.ReceiveAudioAsync(160);
            _fake.RefuseUpgrades(503);
            dg.Abort();
            dropped.SetResult();
        });
        await using var session = await Stt(s => s with { MaxReconnectAttempts = 3 }).StartAsync(Hindi, TestContext.Current.CancellationToken);

        await SendInFramesAsync(session, Pcm(0.02, voice: 8));
        var failure = await Should.ThrowAsync<CloudProviderException>(async () =>
        {
            await foreach (var _ in session.ReadEventsAsync(TestContext.Current.CancellationToken).WithCancellation(Waits.Soon())) { }
        });

        failure.Kind.ShouldBe(CloudProviderErrorKind.Interrupted);
        failure.InnerException.ShouldBeOfType<CloudProviderException>().StatusCode.ShouldBe(503);
        _fake.Attempts.ShouldBe(1 + 3);
        await Should.ThrowAsync<CloudProviderException>(() => session.SendAsync(Pcm(0.02, 9), TestContext.Current.CancellationToken).AsTask());
    }

    [Fact]
    public async Task A_policy_close_from_deepgram_is_a_rejection_without_reconnects()
    {
        _fake.Enqueue(async dg =>
        {
            await dg.ReceiveAudioAsync(160);
            await dg.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, "DATA-0000: could not decode the audio");
        });
        await using var session = await Stt().StartAsync(Hindi, TestContext.Current.CancellationToken);

        await SendInFramesAsync(session, Pcm(0.02, voice: 10));
        var failure = await Should.ThrowAsync<CloudProviderException>(async () =>
        {
            await foreach (var _ in session.ReadEventsAsync(TestContext.Current.CancellationToken).WithCancellation(Waits.Soon())) { }
        });

        failure.Kind.ShouldBe(CloudProviderErrorKind.Rejected);
        failure.Message.ShouldContain("DATA-0000");
        _fake.Attempts.ShouldBe(1);
    }

    [Fact]
    public void Auto_language_asks_for_multilingual_and_older_models_boost_keywords()
    {
        var settings = new DeepgramSettings { ApiKey = "k" };

        var uri = DeepgramSpeechToText.ListenUri(settings, new SpeechRecognitionOptions("auto", Model: "nova-2", Phrases: ["Tata Smartflo"]));

        uri.AbsoluteUri.ShouldStartWith("wss://api.deepgram.com/v1/listen?");
        uri.Query.ShouldContain("language=multi");
        uri.Query.ShouldContain("model=nova-2");
        uri.Query.ShouldContain("keywords=Tata%20Smartflo");
        uri.Query.ShouldNotContain("keyterm");
    }
}
