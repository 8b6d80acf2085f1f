using Awaaz.Server.Voice.Vad;
using FsCheck;
using FsCheck.Fluent;
using static Awaaz.Server.Tests.Voice.Vad.TestAudio;

namespace Awaaz.Server.Tests.Voice.Vad;

public sealed class EnergyVadTests
{
    private const int Window = EnergyVad.Window;
    private readonly EnergyVad _vad = new();

    [Fact]
    public void Digital_silence_is_not_speech()
    {
        var p = Probabilities(_vad, Silence(3));
        p.Max().ShouldBeLessThan(0.001f);
        EnergyVad.LevelDbfs(new short[Window]).ShouldBe(EnergyVad.SilenceDbfs);
    }

    [Fact]
    public void A_loud_tone_is_speech_throughout()
    {
        var p = Probabilities(_vad, Tone(3, 440, peakDbfs: -6));
        p.Min().ShouldBeGreaterThan(0.99f);
    }

    [Fact]
    public void Levels_are_rms_dbfs()
    {
        EnergyVad.LevelDbfs(Tone(Window / 8000.0, 1000, peakDbfs: 0)).ShouldBe(-3.01, tolerance: 0.05); // sine: peak − 3 dB
        EnergyVad.LevelDbfs(Enumerable.Repeat((short)-32768, Window).ToArray()).ShouldBe(0, tolerance: 1e-9);
        EnergyVad.LevelDbfs(Noise(1, -40).AsSpan(0, Window)).ShouldBe(-40, tolerance: 1.5);
    }

    [Fact]
    public void The_probability_grows_with_the_level_for_the_same_history()
    {
        // Any history, any waveform, two gains: the louder copy never scores lower.
        var gen =
            from history in Gen.Choose(0, 40)
            from historyDb in Gen.Choose(-90, 0)
            from seed in Gen.Choose(0, 10_000)
            from low in Gen.Choose(0, 100)
            from high in Gen.Choose(0, 100)
            select (history, historyDb, seed, gains: (Math.Min(low, high) / 100.0, Math.Max(low, high) / 100.0));
        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var prefix = Noise(c.history * Window / 8000.0, c.historyDb, c.seed);
            var shape = Noise(Window / 8000.0, -3, c.seed + 1);
            short[] Scaled(double g) => shape.Select(s => (short)Math.Round(s * g)).ToArray();
            using var quiet = _vad.CreateStream();
            using var loud = _vad.CreateStream();
            Probabilities(quiet, prefix, Window);
            Probabilities(loud, prefix, Window);
            return quiet.Process(Scaled(c.gains.Item1)) <= loud.Process(Scaled(c.gains.Item2));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Probabilities_stay_between_0_and_1_for_any_audio()
    {
        using var stream = _vad.CreateStream();
        Prop.ForAll(Gen.ArrayOf(ArbMap.Default.GeneratorFor<short>(), Window).ToArbitrary(), window =>
        {
            var p = stream.Process(window);
            return p is >= 0f and <= 1f;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Steady_line_noise_is_absorbed_by_the_floor_and_louder_speech_still_shows()
    {
        using var stream = _vad.CreateStream();
        var noise = Probabilities(stream, Noise(12, -38, seed: 5), Window);
        noise[..5].Min().ShouldBeGreaterThan(0.9f, "noise 27 dB over the initial floor looks like speech at first");
        noise[^30..].Max().ShouldBeLessThan(0.1f, "after seconds the floor has risen to the noise");

        var speech = Probabilities(stream, Mix(Tone(1, 300, -12), Noise(1, -38, seed: 6)), Window);
        speech.Min().ShouldBeGreaterThan(0.9f);
    }

    [Fact]
    public void A_burst_of_speech_does_not_lift_the_floor_much()
    {
        using var stream = _vad.CreateStream();
        var p = Probabilities(stream, Concat(Noise(1, -62), Tone(3, 250, -15), Noise(0.3, -62), Tone(0.5, 250, -25)), Window);
        p[^15..].Min().ShouldBeGreaterThan(0.9f, "a quieter utterance after 3 s of speech is still speech");
    }

    [Fact]
    public void Reset_restores_the_initial_floor()
    {
        var probe = Concat(Noise(0.5, -45, seed: 9), Tone(0.5, 500, -20));
        var fresh = Probabilities(_vad, probe);
        using var stream = _vad.CreateStream();
        Probabilities(stream, Noise(10, -42), Window);
        Probabilities(stream, probe, Window).ShouldNotBe(fresh);
        stream.Reset();
        Probabilities(stream, probe, Window).ShouldBe(fresh);
    }

    [Fact]
    public void Espeak_speech_is_detected_and_silence_around_it_is_not()
    {
        var speech = Speech("Hello, thank you for calling. How can I help you today?");
        var line = ThroughMuLaw(Mix(Concat(Silence(1), speech, Silence(1)), Noise(2 + speech.Length / 8000.0, -60, seed: 2)));
        var p = Probabilities(_vad, line);

        p[..30].Max().ShouldBeLessThan(0.05f);
        var during = p[(8000 / Window)..((8000 + speech.Length) / Window)];
        during.Count(v => v > 0.5f).ShouldBeGreaterThan((int)(0.5 * during.Length));
        p[^20..].Max().ShouldBeLessThan(0.05f);
    }

    [Fact]
    public void Windows_of_another_length_are_rejected()
    {
        _vad.Name.ShouldBe("energy");
        _vad.WindowSamples.ShouldBe(256);
        using var stream = _vad.CreateStream();
        Should.Throw<ArgumentException>(() => stream.Process(new short[255]));
    }
}
