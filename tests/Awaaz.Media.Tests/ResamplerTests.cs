using Awaaz.Media.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Awaaz.Media.Tests;

public sealed class ResamplerTests
{
    private static readonly (int In, int Out)[] Ratios = [(8000, 16000), (16000, 8000), (22050, 8000), (24000, 8000)];

    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(60);

    /// <summary>Runs <paramref name="input"/> through a fresh resampler in one call, then flushes.</summary>
    private static short[] OneShot(int inRate, int outRate, short[] input, bool flush = true)
    {
        var resampler = new Resampler(inRate, outRate);
        var output = new short[resampler.GetOutputLength(input.Length)];
        var written = resampler.Process(input, output);
        written.ShouldBe(output.Length);
        if (!flush) return output;
        var tail = new short[resampler.GetFlushLength()];
        resampler.Flush(tail).ShouldBe(tail.Length);
        return [.. output, .. tail];
    }

    private static short[] Chunked(Resampler resampler, short[] input, IEnumerable<int> chunkSizes)
    {
        var output = new List<short>();
        var offset = 0;
        using var sizes = chunkSizes.GetEnumerator();
        while (offset < input.Length)
        {
            var size = sizes.MoveNext() ? Math.Min(sizes.Current, input.Length - offset) : input.Length - offset;
            var buffer = new short[resampler.GetOutputLength(size)];
            resampler.Process(input.AsSpan(offset, size), buffer).ShouldBe(buffer.Length);
            output.AddRange(buffer);
            offset += size;
        }
        return [.. output];
    }

    [Fact]
    public void Output_length_after_n_input_samples_is_ceiling_of_n_times_ratio() =>
        Prop.ForAll(
            Gen.Elements(Ratios).ToArbitrary(),
            Gen.Choose(0, 3000).ArrayOf().ToArbitrary(),
            (ratio, chunks) =>
            {
                var resampler = new Resampler(ratio.In, ratio.Out);
                long total = 0, produced = 0;
                foreach (var size in chunks)
                {
                    var buffer = new short[resampler.GetOutputLength(size)];
                    produced += resampler.Process(new short[size], buffer);
                    total += size;
                    // Outputs j are due while j·in < total·out.
                    if (produced != (total * ratio.Out + ratio.In - 1) / ratio.In) return false;
                }
                return true;
            }).Check(Runs);

    [Fact]
    public void Chunked_processing_equals_one_shot_processing() =>
        Prop.ForAll(
            Gen.Elements(Ratios).ToArbitrary(),
            Gen.Choose(0, 700).ArrayOf().ToArbitrary(),
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            (ratio, chunks, seed) =>
            {
                var input = Signals.Noise(seed, 4000);
                var whole = OneShot(ratio.In, ratio.Out, input, flush: false);
                var pieces = Chunked(new Resampler(ratio.In, ratio.Out), input, chunks);
                return whole.AsSpan().SequenceEqual(pieces);
            }).Check(Runs);

    [Fact]
    public void Silence_stays_silence()
    {
        foreach (var (inRate, outRate) in Ratios)
        {
            var output = OneShot(inRate, outRate, new short[inRate / 5]);
            output.ShouldNotBeEmpty();
            output.ShouldAllBe(s => s == 0, $"{inRate}→{outRate}");
        }
    }

    [Fact]
    public void A_passband_tone_survives_8k_to_16k_to_8k_with_its_frequency_and_level() =>
        Prop.ForAll(Gen.Choose(100, 3300).ToArbitrary(), frequency =>
        {
            var input = Signals.Sine(frequency, 8000, 8000);
            var up = OneShot(8000, 16000, input);
            var back = OneShot(16000, 8000, up);

            // Skip the filters' warm-up and tail; the fit ignores the constant delay.
            var settled = back.AsSpan(200, back.Length - 400);
            var (amplitude, snr) = Signals.FitSine(settled, frequency, 8000);
            var (upAmplitude, upSnr) = Signals.FitSine(up.AsSpan(400, up.Length - 800), frequency, 16000);
            return snr > 40 && upSnr > 40
                   && Math.Abs(amplitude / 10_000 - 1) < 0.01 && Math.Abs(upAmplitude / 10_000 - 1) < 0.01;
        }).Check(Runs);

    [Fact]
    public void A_tone_at_a_wrong_frequency_does_not_fit_so_the_snr_check_is_meaningful()
    {
        var back = OneShot(16000, 8000, OneShot(8000, 16000, Signals.Sine(1000, 8000, 8000)));
        Signals.FitSine(back.AsSpan(200, back.Length - 400), 1010, 8000).SnrDb.ShouldBeLessThan(10);
    }

    [Fact]
    public void Downsampling_strongly_attenuates_tones_above_the_target_nyquist() =>
        Prop.ForAll(
            Gen.Elements((16000, 8000), (22050, 8000), (24000, 8000)).ToArbitrary(),
            Gen.Choose(4300, 11000).ToArbitrary(),
            (ratio, frequency) =>
            {
                if (frequency >= ratio.Item1 / 2 - 50) return true; // not representable at the input rate
                var input = Signals.Sine(frequency, ratio.Item1, ratio.Item1 / 2);
                var output = OneShot(ratio.Item1, ratio.Item2, input, flush: false);
                var attenuation = Signals.Db(Signals.Rms(output.AsSpan(200)) / Signals.Rms(input));
                return attenuation < -60;
            }).Check(Runs);

    [Fact]
    public void Upsampling_leaves_no_image_above_the_source_nyquist()
    {
        // A 3 kHz tone at 8 kHz images at 5 kHz after naive zero-stuffing to 16 kHz.
        var up = OneShot(8000, 16000, Signals.Sine(3000, 8000, 8000));
        var settled = up.AsSpan(400, up.Length - 800);
        var tone = Signals.FitSine(settled, 3000, 16000).Amplitude;
        var image = Signals.FitSine(settled, 5000, 16000).Amplitude;
        Signals.Db(image / tone).ShouldBeLessThan(-60);
    }

    [Fact]
    public void Tts_rates_keep_a_passband_tone()
    {
        foreach (var inRate in new[] { 22050, 24000 })
        {
            var output = OneShot(inRate, 8000, Signals.Sine(440, inRate, inRate));
            var (amplitude, snr) = Signals.FitSine(output.AsSpan(200, output.Length - 400), 440, 8000);
            snr.ShouldBeGreaterThan(40, $"{inRate} Hz");
            amplitude.ShouldBe(10_000, 100);
        }
    }

    [Fact]
    public void Flush_emits_the_delayed_tail_and_reset_forgets_history()
    {
        var resampler = new Resampler(8000, 16000);
        resampler.Latency.ShouldBeGreaterThan(TimeSpan.Zero);
        resampler.Latency.ShouldBeLessThan(TimeSpan.FromMilliseconds(10));
        var click = new short[] { 20_000 };
        var output = new short[resampler.GetOutputLength(1)];
        resampler.Process(click, output);
        var tail = new short[resampler.GetFlushLength()];
        resampler.Flush(tail);
        tail.ShouldContain(s => Math.Abs(s) > 1000, "the impulse response peak lies in the delayed tail");

        resampler.Process(click, output);
        resampler.Reset();
        resampler.Flush(tail);
        tail.ShouldAllBe(s => s == 0);
    }

    [Fact]
    public void Full_scale_input_clips_instead_of_wrapping()
    {
        // A step to full scale overshoots (Gibbs); clamping keeps it at the rail, wrapping would turn it negative.
        var step = new short[2000];
        step.AsSpan(1000).Fill(short.MaxValue);
        var output = OneShot(8000, 16000, step);
        var afterStep = output.AsSpan(2000 + 64 + 4, 1800);
        afterStep.ToArray().ShouldAllBe(s => s > 25_000);
        afterStep.ToArray().ShouldContain(short.MaxValue);
    }

    [Fact]
    public void Rejects_bad_rates_and_short_output()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new Resampler(0, 8000));
        Should.Throw<ArgumentOutOfRangeException>(() => new Resampler(8000, -1));
        Should.Throw<ArgumentOutOfRangeException>(() => new Resampler(8000, 7919)); // L = 7919
        var resampler = new Resampler(8000, 16000);
        Should.Throw<ArgumentException>(() => resampler.Process(new short[10], new short[19]));
    }
}
