using Microsoft.Extensions.Configuration;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Offline;
using static Awaaz.Server.Tests.Voice.Offline.OfflineSpeechKit;

namespace Awaaz.Server.Tests.Voice.Offline;

public sealed class PocketsphinxSpeechToTextTests
{
    private static readonly string[] Script =
        ["yes", "no", "My name is Asha.", "tomorrow at 10", "Call me back later", "I don't know", "two thousand rupees", "Please repeat that"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Espeak_phrases_after_a_mulaw_round_trip_are_recognized_exactly_with_a_grammar()
    {
        var tts = Tts();
        await using var session = await Stt().StartAsync(new SpeechRecognitionOptions("en-IN", Phrases: Script), Ct);
        // One session, one utterance after another, as on a call; finals are the phrases as the script wrote them.
        foreach (var (spoken, expected) in new[]
                 {
                     ("yes", "yes"), ("no", "no"), ("my name is asha", "My name is Asha."), ("tomorrow at ten", "tomorrow at 10"),
                     ("I don't know", "I don't know"), ("two thousand rupees", "two thousand rupees"),
                     ("call me back later", "Call me back later"), ("please repeat that", "Please repeat that"), ("no", "no"),
                 })
        {
            var events = await RecognizeAsync(session, Decode(await SpeakAsync(tts, spoken)));
            events.Count(e => e.IsFinal).ShouldBe(1);
            events[^1].ShouldBe(new SpeechRecognitionEvent(expected, IsFinal: true, EndOfUtterance: true), $"spoken: {spoken}");
        }
    }

    [Fact]
    public async Task Phrases_spoken_with_other_voices_and_silence_around_them_are_recognized()
    {
        var tts = Tts();
        var silence = new short[4000];
        foreach (var voice in new[] { "gmw/en-US+f3", "gmw/en", "gmw/en-US-nyc" })
        {
            await using var session = await Stt().StartAsync(new SpeechRecognitionOptions("en", Phrases: Script), Ct);
            foreach (var phrase in new[] { "My name is Asha.", "Call me back later" })
            {
                var speech = Decode(await SpeakAsync(tts, phrase, new SpeechSynthesisOptions(voice, "en")));
                var events = await RecognizeAsync(session, [.. silence, .. speech, .. silence]);
                events[^1].Text.ShouldBe(phrase, $"voice {voice}");
            }
        }
    }

    [Fact]
    public async Task Partial_transcripts_come_before_the_final_one()
    {
        await using var session = await Stt().StartAsync(new SpeechRecognitionOptions("en-US", Phrases: Script), Ct);
        var events = await RecognizeAsync(session, Decode(await SpeakAsync(Tts(), "call me back later")));
        events.Count.ShouldBeGreaterThan(2);
        events.SkipLast(1).ShouldAllBe(e => !e.IsFinal && !e.EndOfUtterance && e.Text.Length > 0);
        events.Zip(events.Skip(1)).ShouldAllBe(p => p.First.Text != p.Second.Text || p.Second.IsFinal); // only changes are sent
        events.ShouldContain(e => !e.IsFinal && e.Text == "call me");

        await using var quiet = await Stt(new PocketsphinxSettings { Partials = false }).StartAsync(new SpeechRecognitionOptions("en-US", Phrases: Script), Ct);
        var finals = await RecognizeAsync(quiet, Decode(await SpeakAsync(Tts(), "call me back later")));
        finals.ShouldBe([new SpeechRecognitionEvent("Call me back later", true, true)]);
    }

    [Fact]
    public async Task Silence_gives_an_empty_final_transcript()
    {
        await using var session = await Stt().StartAsync(new SpeechRecognitionOptions("en-US", Phrases: Script), Ct);
        var events = await RecognizeAsync(session, new short[8000]);
        events.ShouldBe([new SpeechRecognitionEvent("", IsFinal: true, EndOfUtterance: true)]);

        // A flush with no audio at all also ends an (empty) utterance, and the session goes on.
        (await RecognizeAsync(session, [])).ShouldBe([new SpeechRecognitionEvent("", true, true)]);
        (await RecognizeAsync(session, Decode(await SpeakAsync(Tts(), "yes"))))[^1].Text.ShouldBe("yes");
    }

    [Fact]
    public async Task Phrases_with_words_missing_from_the_dictionary_are_reported()
    {
        var error = await Should.ThrowAsync<PocketsphinxException>(() =>
            Stt().StartAsync(new SpeechRecognitionOptions("en-IN", Phrases: ["yes", "My name is Zorbliqua", "Zorbliqua Xyzzqt speaking", "the 1st"]), Ct));
        error.Error.ShouldBe(PocketsphinxError.UnknownWords);
        error.UnknownWords.ShouldBe(["zorbliqua", "xyzzqt", "1st"]);
        error.Message.ShouldContain("'zorbliqua' in \"My name is Zorbliqua\", \"Zorbliqua Xyzzqt speaking\"");
        error.Message.ShouldContain("'xyzzqt' in \"Zorbliqua Xyzzqt speaking\"");
        error.Message.ShouldContain("cmudict-en-us.dict");
    }

    [Fact]
    public async Task Open_vocabulary_mode_runs_without_phrases()
    {
        await using var session = await Stt().StartAsync(new SpeechRecognitionOptions("en-US"), Ct);
        var events = await RecognizeAsync(session, Decode(await SpeakAsync(Tts(), "hello, how are you today?")));
        var final = events[^1];
        final.IsFinal.ShouldBeTrue();
        TestContext.Current.TestOutputHelper?.WriteLine($"open vocabulary heard: {final.Text}");
        final.Text.Split(' ').ShouldContain("you"); // open vocabulary is approximate; these words survive it
        final.Text.Split(' ').ShouldContain("today");

        // Model "open" ignores phrases; "grammar" needs them.
        await using var forced = await Stt().StartAsync(new SpeechRecognitionOptions("en-US", "open", ["yes", "no"]), Ct);
        (await RecognizeAsync(forced, Decode(await SpeakAsync(Tts(), "hello, how are you today?"))))[^1].Text.ShouldNotBeOneOf("yes", "no", "");
        var noPhrases = await Should.ThrowAsync<PocketsphinxException>(() => Stt().StartAsync(new SpeechRecognitionOptions("en-US", "grammar"), Ct));
        noPhrases.Error.ShouldBe(PocketsphinxError.UnsupportedModel);
        var unknown = await Should.ThrowAsync<PocketsphinxException>(() => Stt().StartAsync(new SpeechRecognitionOptions("en-US", "whisper-large"), Ct));
        unknown.Error.ShouldBe(PocketsphinxError.UnsupportedModel);
        unknown.Message.ShouldContain("'whisper-large'");
    }

    [Fact]
    public async Task Concurrent_sessions_have_their_own_decoders()
    {
        var tts = Tts();
        var stt = Stt();
        string[] phrases = ["My name is Asha.", "Call me back later", "two thousand rupees", "Please repeat that"];
        var audio = new Dictionary<string, short[]>();
        foreach (var p in phrases) audio[p] = Decode(await SpeakAsync(tts, p));

        var results = await Task.WhenAll(phrases.Select(p => Task.Run(async () =>
        {
            await using var session = await stt.StartAsync(new SpeechRecognitionOptions("en-US", Phrases: Script), Ct);
            var heard = new List<string>();
            for (var i = 0; i < 3; i++) heard.Add((await RecognizeAsync(session, audio[p]))[^1].Text);
            return (p, heard);
        }, Ct)));
        foreach (var (phrase, heard) in results) heard.ShouldBe([phrase, phrase, phrase]);
    }

    [Fact]
    public async Task Other_languages_are_refused()
    {
        var error = await Should.ThrowAsync<PocketsphinxException>(() => Stt().StartAsync(new SpeechRecognitionOptions("hi-IN", Phrases: ["haan"]), Ct));
        error.Error.ShouldBe(PocketsphinxError.UnsupportedLanguage);
        error.Message.ShouldContain("English only");
    }

    [Fact]
    public async Task A_missing_library_or_model_is_a_clear_error()
    {
        var library = await Should.ThrowAsync<PocketsphinxException>(() =>
            new PocketsphinxSpeechToText(new PocketsphinxSettings { LibraryPath = "/nonexistent/libpocketsphinx.so.3" }).StartAsync(new SpeechRecognitionOptions("en-US", Phrases: Script), Ct));
        library.Error.ShouldBe(PocketsphinxError.NotInstalled);
        library.Message.ShouldContain("apt-get install libpocketsphinx3");

        var model = await Should.ThrowAsync<PocketsphinxException>(() =>
            Stt(new PocketsphinxSettings { ModelPath = "/nonexistent/en-us" }).StartAsync(new SpeechRecognitionOptions("en-US", Phrases: Script), Ct));
        model.Error.ShouldBe(PocketsphinxError.ModelMissing);
        model.Message.ShouldContain("/nonexistent/en-us");
        model.Message.ShouldContain("Awaaz:Pocketsphinx:ModelPath");

        var lm = await Should.ThrowAsync<PocketsphinxException>(() =>
            Stt(new PocketsphinxSettings { LanguageModelPath = "/nonexistent/en-us.lm.bin" }).StartAsync(new SpeechRecognitionOptions("en-US"), Ct));
        lm.Error.ShouldBe(PocketsphinxError.ModelMissing);
        lm.Message.ShouldContain("Awaaz:Pocketsphinx:LanguageModelPath");
    }

    [Fact]
    public async Task A_disposed_session_ends_its_events_and_refuses_audio()
    {
        var session = await Stt().StartAsync(new SpeechRecognitionOptions("en-US", Phrases: Script), Ct);
        var reader = Task.Run(async () =>
        {
            var events = new List<SpeechRecognitionEvent>();
            await foreach (var e in session.ReadEventsAsync(Ct)) events.Add(e);
            return events;
        }, Ct);
        await session.SendAsync(Decode(await SpeakAsync(Tts(), "yes")), Ct);
        await session.FlushAsync(Ct);
        await session.DisposeAsync();
        await session.DisposeAsync(); // idempotent

        (await reader.WaitAsync(TimeSpan.FromSeconds(10), Ct))[^1].ShouldBe(new SpeechRecognitionEvent("yes", true, true));
        await Should.ThrowAsync<ObjectDisposedException>(() => session.SendAsync(new short[160], Ct).AsTask());
        await Should.ThrowAsync<ObjectDisposedException>(() => session.FlushAsync(Ct).AsTask());
    }

    [Fact]
    public void Configuration_keys_override_the_debian_paths()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Awaaz:Pocketsphinx:ModelPath"] = "/models/hmm",
            ["Awaaz:Pocketsphinx:DictionaryPath"] = "/models/words.dict",
            ["Awaaz:Pocketsphinx:Partials"] = "false",
        }).Build();
        PocketsphinxSettings.FromConfiguration(configuration).ShouldBe(new PocketsphinxSettings
        {
            ModelPath = "/models/hmm",
            DictionaryPath = "/models/words.dict",
            Partials = false,
        });
        PocketsphinxSettings.FromConfiguration(new ConfigurationBuilder().Build()).ShouldBe(new PocketsphinxSettings());
        new PocketsphinxSettings().ModelPath.ShouldBe("/usr/share/pocketsphinx/model/en-us/en-us");
    }
}
