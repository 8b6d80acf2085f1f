using Microsoft.Extensions.Configuration;
using System.Diagnostics;
using Awaaz.Media;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Offline;
using static Awaaz.Server.Tests.Voice.Offline.OfflineSpeechKit;

namespace Awaaz.Server.Tests.Voice.Offline;

public sealed class EspeakTextToSpeechTests
{
    private const string LongText =
        "Hello, this is Awaaz calling about your appointment. It is booked for tomorrow at ten in the morning. " +
        "If that suits you, please say yes. If you want another time, say no and I will offer you a new slot. " +
        "You can also ask me to call you back later. Thank you for your time.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Speech_is_8khz_mulaw_in_100ms_chunks_as_long_as_espeak_ngs_own_output_and_not_silent()
    {
        const string text = "Hello, this is the Awaaz voice speaking.";
        var chunks = await ChunksAsync(Tts(), text, ct: Ct);

        chunks.Count.ShouldBeGreaterThan(5);
        chunks.SkipLast(1).ShouldAllBe(c => c.Length == 800); // one sentence: only the last chunk may be short
        chunks[^1].Length.ShouldBeInRange(1, 800);
        var pcm = Decode(chunks.SelectMany(c => c).ToArray());

        // Same length as espeak-ng's 22 050 Hz WAV resampled to 8 kHz (plus the resampler's flushed tail).
        var reference = await EspeakWavAsync(text, "en-us", 165);
        reference.Format.SampleRate.ShouldBe(22050);
        var expected = reference.Frames * 8000.0 / 22050;
        pcm.Length.ShouldBeInRange((int)expected - 5, (int)expected + 80);
        pcm.Length.ShouldBeInRange(8000, 8000 * 5); // 1–5 s for seven words

        // Speech, not silence: loud on average and over most of its 100 ms windows.
        Rms(pcm).ShouldBeGreaterThan(1000);
        var voiced = pcm.Chunk(800).Count(w => Rms(w) > 300);
        voiced.ShouldBeGreaterThan(pcm.Length / 800 / 2);
    }

    [Fact]
    public async Task The_first_chunk_is_out_before_the_second_sentence_is_synthesized()
    {
        using var espeak = new EspeakWrapper();
        var tts = Tts(new EspeakSettings { ExecutablePath = espeak.Path });
        var sentences = SentenceSplitter.Split(LongText);
        sentences.Count.ShouldBe(6);

        var runsAtChunk = new List<int>();
        await foreach (var _ in tts.SynthesizeAsync(LongText, English, Ct)) runsAtChunk.Add(espeak.SpeakRuns().Count);

        runsAtChunk[0].ShouldBe(1);             // one espeak-ng run so far when the first audio is yielded
        runsAtChunk[^1].ShouldBe(6);            // one run per sentence in the end
        runsAtChunk.ShouldBe(runsAtChunk.Order().ToList());
        runsAtChunk.Distinct().ShouldBe([1, 2, 3, 4, 5, 6]); // every sentence yielded audio before the next one started
        runsAtChunk.Count(r => r == 1).ShouldBeGreaterThan(10); // the first sentence alone is over a second of speech
    }

    [Fact]
    public async Task Cancelling_kills_the_running_espeak_and_stops_synthesis()
    {
        using var espeak = new EspeakWrapper(hangAfterSpeaking: true);
        var tts = Tts(new EspeakSettings { ExecutablePath = espeak.Path });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var chunks = 0;
        var elapsed = Stopwatch.StartNew();
        await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in tts.SynthesizeAsync(LongText, English, cts.Token))
                if (++chunks == 3) await cts.CancelAsync();
        });
        elapsed.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30)); // the hung process holds stdout open for 60 s

        chunks.ShouldBe(3);
        var runs = espeak.SpeakRuns();
        runs.Count.ShouldBe(1);
        await WaitUntilAsync(() => !IsRunning(runs[0]));
    }

    [Fact]
    public async Task Abandoning_the_stream_kills_the_running_espeak()
    {
        using var espeak = new EspeakWrapper(hangAfterSpeaking: true);
        var tts = Tts(new EspeakSettings { ExecutablePath = espeak.Path });
        await foreach (var _ in tts.SynthesizeAsync(LongText, English, Ct)) break;

        var runs = espeak.SpeakRuns();
        runs.Count.ShouldBe(1);
        await WaitUntilAsync(() => !IsRunning(runs[0]));
    }

    [Fact]
    public async Task A_missing_executable_is_a_clear_error()
    {
        var tts = new EspeakTextToSpeech(new EspeakSettings { ExecutablePath = "/nonexistent/espeak-ng" });
        var error = await Should.ThrowAsync<EspeakException>(() => ChunksAsync(tts, "Hello.", ct: Ct));
        error.Error.ShouldBe(EspeakError.NotInstalled);
        error.Message.ShouldContain("/nonexistent/espeak-ng");
        error.Message.ShouldContain("apt-get install espeak-ng");
    }

    [Fact]
    public async Task An_unknown_voice_or_language_is_a_clear_error()
    {
        var tts = Tts();
        var voice = await Should.ThrowAsync<EspeakException>(() => ChunksAsync(tts, "Hello.", new SpeechSynthesisOptions("xx/klingon", "en-US"), Ct));
        voice.Error.ShouldBe(EspeakError.UnknownVoice);
        voice.Message.ShouldContain("'xx/klingon'");

        var language = await Should.ThrowAsync<EspeakException>(() => ChunksAsync(tts, "Hello.", new SpeechSynthesisOptions("", "tlh-QO"), Ct));
        language.Error.ShouldBe(EspeakError.UnknownVoice);
        language.Message.ShouldContain("'tlh-QO'");
    }

    [Fact]
    public async Task Voices_are_resolved_by_file_language_name_or_catalog_id_and_fall_back_to_the_language()
    {
        var tts = Tts();
        async Task<string> Resolve(string voice, string language) => await tts.ResolveVoiceAsync(new SpeechSynthesisOptions(voice, language), Ct);

        (await Resolve("gmw/en-US", "en-US")).ShouldBe("gmw/en-US");
        (await Resolve("GMW/EN-us", "en-US")).ShouldBe("gmw/en-US");
        (await Resolve("inc/hi", "hi-IN")).ShouldBe("inc/hi");
        (await Resolve("en-us", "en-US")).ShouldBe("en-us");
        (await Resolve("Hindi", "hi")).ShouldBe("inc/hi");
        (await Resolve(EspeakVoices.IdFor("inc/hi"), "hi")).ShouldBe("inc/hi");
        (await Resolve("gmw/en-US+f3", "en-US")).ShouldBe("gmw/en-US+f3");
        (await Resolve("en", "en")).ShouldBe("en"); // a language of several voices: espeak-ng picks
        (await Resolve("", "hi-IN")).ShouldBe("hi");
        (await Resolve("", "en-IN")).ShouldBe("en");
        (await Resolve("", "en_US")).ShouldBe("en-us");
    }

    [Fact]
    public async Task Hindi_text_is_spoken_with_the_hindi_voice()
    {
        var tts = Tts();
        var pcm = Decode(await SpeakAsync(tts, "नमस्ते, आपका स्वागत है।", new SpeechSynthesisOptions("inc/hi", "hi-IN")));
        pcm.Length.ShouldBeInRange(8000, 8000 * 5);
        Rms(pcm).ShouldBeGreaterThan(1000);

        var reference = await EspeakWavAsync("नमस्ते, आपका स्वागत है।", "inc/hi", 165);
        pcm.Length.ShouldBeInRange((int)(reference.Frames * 8000.0 / 22050) - 5, (int)(reference.Frames * 8000.0 / 22050) + 80);
    }

    [Fact]
    public async Task Text_starting_with_a_dash_is_spoken_not_taken_as_an_option()
    {
        var pcm = Decode(await SpeakAsync(Tts(), "-v is not an option here"));
        pcm.Length.ShouldBeGreaterThan(8000);
        Rms(pcm).ShouldBeGreaterThan(1000);
    }

    [Fact]
    public async Task Text_without_words_yields_no_audio()
    {
        (await ChunksAsync(Tts(), "  \n ", ct: Ct)).ShouldBeEmpty();
    }

    [Fact]
    public void Settings_come_from_configuration_and_are_validated()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Awaaz:EspeakPath"] = "/opt/espeak/bin/espeak-ng",
            ["Awaaz:Espeak:WordsPerMinute"] = "140",
            ["Awaaz:Espeak:ChunkMilliseconds"] = "20",
        }).Build();
        EspeakSettings.FromConfiguration(configuration).ShouldBe(new EspeakSettings { ExecutablePath = "/opt/espeak/bin/espeak-ng", WordsPerMinute = 140, ChunkMilliseconds = 20 });
        EspeakSettings.FromConfiguration(new ConfigurationBuilder().Build()).ShouldBe(new EspeakSettings());

        Should.Throw<ArgumentOutOfRangeException>(() => new EspeakTextToSpeech(new EspeakSettings { WordsPerMinute = 20 }));
        Should.Throw<ArgumentOutOfRangeException>(() => new EspeakTextToSpeech(new EspeakSettings { ChunkMilliseconds = 0 }));
        Should.Throw<ArgumentException>(() => new EspeakTextToSpeech(new EspeakSettings { ExecutablePath = " " }));
    }

    [Fact]
    public async Task Chunk_size_follows_the_setting()
    {
        var chunks = await ChunksAsync(Tts(new EspeakSettings { ChunkMilliseconds = 20 }), "One sentence. And another one.", ct: Ct);
        chunks.Count(c => c.Length != 160).ShouldBeLessThanOrEqualTo(2); // at most the last chunk of each sentence is short
        chunks.ShouldAllBe(c => c.Length > 0 && c.Length <= 160);
    }

    private static async Task<WavAudio> EspeakWavAsync(string text, string voice, int wpm)
    {
        var start = new ProcessStartInfo(EspeakPath) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "--stdout", "-v", voice, "-s", wpm.ToString(), text }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        using var wav = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(wav, Ct);
        await process.WaitForExitAsync(Ct);
        return WavReader.ReadAll(wav.ToArray());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            deadline.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), "the espeak-ng process is still running");
            await Task.Delay(20, Ct);
        }
    }
}
