using Awaaz.Server.Voice.Vad;
using FsCheck;
using FsCheck.Fluent;
using static Awaaz.Server.Tests.Voice.Vad.TestAudio;

namespace Awaaz.Server.Tests.Voice.Vad;

/// <summary>Silero VAD v5 on the real ONNX Runtime and model from scripts/assets.sh.</summary>
public sealed class SileroVadTests(SileroFixture fixture, ITestOutputHelper output) : IClassFixture<SileroFixture>
{
    private SileroVad Vad => fixture.Vad;

    private void Print(string label, float[] p) =>
        output.WriteLine($"{label}: {string.Join(" ", p.Select(v => v.ToString("0.00")))}");

    [Fact]
    public void Model_metadata_read_through_onnx_runtime_is_silero_v5()
    {
        using var runtime = OnnxRuntime.Load(VadAssets.OnnxRuntimePath);
        using var session = runtime.OpenSession(VadAssets.ModelPath);
        output.WriteLine($"ONNX Runtime {runtime.Version}; inputs {string.Join("; ", session.Inputs)}; outputs {string.Join("; ", session.Outputs)}");

        runtime.Version.ShouldStartWith("1.");
        session.Inputs.Select(i => i.ToString()).ShouldBe(["input: Float[-1, -1]", "state: Float[2, -1, 128]", "sr: Int64[]"]);
        session.Outputs.Select(o => o.ToString()).ShouldBe(["output: Float[-1, 1]", "stateN: Float[-1, -1, -1]"]);
        Vad.Name.ShouldBe("silero-v5");
        Vad.WindowSamples.ShouldBe(256);
    }

    [Fact]
    public void Silence_is_not_speech()
    {
        var p = Probabilities(Vad, Silence(2));
        Print("silence", p);
        p.Max().ShouldBeLessThan(0.1f);
    }

    [Fact]
    public void Low_level_white_noise_is_not_speech()
    {
        foreach (var dbfs in new[] { -60.0, -45.0 })
        {
            var p = Probabilities(Vad, Noise(3, dbfs));
            Print($"noise {dbfs} dBFS", p);
            p.Average().ShouldBeLessThan(0.1f, $"noise at {dbfs} dBFS");
            p.Max().ShouldBeLessThan(0.5f, $"noise at {dbfs} dBFS");
        }
    }

    [Theory]
    [InlineData("Hello, thank you for calling. How can I help you today?", "en-us")]
    [InlineData("नमस्ते, आपका स्वागत है। मैं आपकी क्या सहायता कर सकता हूँ?", "hi")]
    public void Speech_is_detected_and_the_silence_around_it_is_not(string text, string voice)
    {
        var speech = Speech(text, voice);
        var lead = Silence(1);
        var p = Probabilities(Vad, Concat(lead, speech, Silence(1.5)));
        Print(voice, p);

        var first = lead.Length / Window;
        var last = (lead.Length + speech.Length) / Window;
        p[..(first - 1)].Max().ShouldBeLessThan(0.1f, "before the speech");
        var during = p[first..last];
        during.Count(v => v > 0.5f).ShouldBeGreaterThan((int)(0.6 * during.Length), "most windows of the utterance are speech");
        during.Max().ShouldBeGreaterThan(0.9f);
        p[^15..].Max().ShouldBeLessThan(0.1f, "1 s after the speech ended");
    }

    [Fact]
    public void Speech_through_mulaw_and_over_line_noise_is_still_detected()
    {
        var speech = Speech("Please say your account number after the beep.");
        var line = ThroughMuLaw(Mix(Concat(Silence(0.5), speech, Silence(1)), Noise(0.5 + speech.Length / 8000.0 + 1, -50, seed: 7)));
        var p = Probabilities(Vad, line);
        Print("mu-law + noise", p);

        var during = p[(4000 / Window)..((4000 + speech.Length) / Window)];
        during.Count(v => v > 0.5f).ShouldBeGreaterThan((int)(0.6 * during.Length));
        p[..(4000 / Window - 1)].Max().ShouldBeLessThan(0.2f);
    }

    [Fact]
    public void Streams_keep_their_own_state()
    {
        var speech = Concat(Speech("One two three four five."), Silence(0.5));
        var quiet = Noise(speech.Length / 8000.0, -55, seed: 3);
        var aloneSpeech = Probabilities(Vad, speech);
        var aloneQuiet = Probabilities(Vad, quiet);

        using var a = Vad.CreateStream();
        using var b = Vad.CreateStream();
        var interleavedSpeech = new float[aloneSpeech.Length];
        var interleavedQuiet = new float[aloneQuiet.Length];
        for (var i = 0; i < interleavedSpeech.Length; i++)
        {
            interleavedSpeech[i] = a.Process(speech.AsSpan(i * Window, Window));
            interleavedQuiet[i] = b.Process(quiet.AsSpan(i * Window, Window));
        }

        interleavedSpeech.ShouldBe(aloneSpeech);
        interleavedQuiet.ShouldBe(aloneQuiet);
        aloneSpeech.Max().ShouldBeGreaterThan(0.9f);
        aloneQuiet.Max().ShouldBeLessThan(0.5f);
    }

    [Fact]
    public void Reset_forgets_the_state_and_the_context()
    {
        var speech = Speech("Reset me please.");
        var probe = Concat(Speech("Good morning."), Silence(0.3));
        var fresh = Probabilities(Vad, probe);

        using var stream = Vad.CreateStream();
        Probabilities(stream, speech, Window);
        var withHistory = Probabilities(stream, probe, Window);
        stream.Reset();
        var afterReset = Probabilities(stream, probe, Window);

        afterReset.ShouldBe(fresh);
        withHistory.ShouldNotBe(fresh); // the history did matter, so Reset had something to forget
    }

    [Fact]
    public async Task One_session_serves_streams_on_many_threads()
    {
        var audio = Concat(Speech("Concurrent calls share one model."), Silence(0.3));
        var expected = Probabilities(Vad, audio);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Probabilities(Vad, audio))));

        foreach (var r in results) r.ShouldBe(expected);
    }

    [Fact]
    public void Probabilities_stay_between_0_and_1_for_any_window()
    {
        using var stream = Vad.CreateStream();
        Prop.ForAll(Gen.ArrayOf(ArbMap.Default.GeneratorFor<short>(), Window).ToArbitrary(), window =>
        {
            var p = stream.Process(window);
            return p >= 0f && p <= 1f && float.IsFinite(p);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Windows_of_another_length_are_rejected()
    {
        using var stream = Vad.CreateStream();
        Should.Throw<ArgumentException>(() => stream.Process(new short[160])).Message.ShouldContain("256");
        Should.Throw<ArgumentException>(() => stream.Process(new short[512]));
    }

    [Fact]
    public void A_disposed_detector_refuses_new_windows()
    {
        var own = SileroVad.Open(VadAssets.OnnxRuntimePath, VadAssets.ModelPath);
        var stream = own.CreateStream();
        stream.Process(new short[Window]);
        own.Dispose();

        Should.Throw<ObjectDisposedException>(() => stream.Process(new short[Window]));
        stream.Dispose();
        Should.Throw<ObjectDisposedException>(() => own.CreateStream());
    }

    private const int Window = SileroVad.Window;
}
