using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Awaaz.Media;

/// <summary>
/// Streaming rational-ratio resampler for mono PCM16 (8 000 ↔ 16 000 Hz, 22 050/24 000 → 8 000 Hz, and other
/// ratios whose reduced interpolation factor is at most 640). A Kaiser-windowed sinc low-pass (≥ 70 dB stopband) is
/// applied as a polyphase FIR; its cut-off sits below the lower of the two Nyquist frequencies, so downsampling
/// is anti-aliased and upsampling removes images. State carries across calls, so splitting the input into chunks
/// of any size yields exactly the same output as one call. The output is delayed by <see cref="Latency"/>; call
/// <see cref="Flush"/> at the end of a stream to get the tail. Not thread-safe: one instance per stream.
/// </summary>
public sealed class Resampler
{
    /// <summary>Largest reduced interpolation factor accepted (bounds the shared coefficient table).</summary>
    public const int MaxInterpolation = 640;

    private const int BlockSize = 512;
    private const double StopbandDb = 70;

    private static readonly ConcurrentDictionary<(int L, int M), FilterBank> Banks = new();

    private readonly FilterBank _bank;
    private readonly float[] _work; // [taps - 1 samples of history][up to BlockSize new samples]
    private int _inputPos;          // index (relative to the next block) of the newest input the next output needs
    private int _phase;             // polyphase branch of the next output, 0 ≤ phase < L

    /// <param name="inputRate">Input sample rate in Hz.</param>
    /// <param name="outputRate">Output sample rate in Hz.</param>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not positive or the reduced ratio is too fine.</exception>
    public Resampler(int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        var gcd = Gcd(inputRate, outputRate);
        var l = outputRate / gcd;
        var m = inputRate / gcd;
        if (l > MaxInterpolation)
            throw new ArgumentOutOfRangeException(nameof(outputRate), $"{inputRate}→{outputRate} Hz needs an interpolation factor of {l}; at most {MaxInterpolation} is supported.");
        if (m > 64 * MaxInterpolation)
            throw new ArgumentOutOfRangeException(nameof(inputRate), $"{inputRate}→{outputRate} Hz needs a decimation factor of {m}; at most {64 * MaxInterpolation} is supported.");
        InputRate = inputRate;
        OutputRate = outputRate;
        _bank = Banks.GetOrAdd((l, m), static key => FilterBank.Design(key.L, key.M));
        _work = new float[_bank.Taps - 1 + BlockSize];
        Reset();
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>Group delay of the filter: output audio lags the input by this much.</summary>
    public TimeSpan Latency => TimeSpan.FromSeconds(_bank.DelayInInputSamples / InputRate);

    /// <summary>Exact number of samples the next <see cref="Process"/> call writes for <paramref name="inputLength"/> input samples.</summary>
    public int GetOutputLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        // Outputs are due while their input position (in 1/L input-sample units) is before the end of the input.
        var remaining = (long)inputLength * _bank.L - ((long)_inputPos * _bank.L + _phase);
        return remaining <= 0 ? 0 : (int)((remaining + _bank.M - 1) / _bank.M);
    }

    /// <summary>Resamples <paramref name="input"/> into <paramref name="output"/>; returns the number of samples written.</summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <see cref="GetOutputLength"/>.</exception>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        var needed = GetOutputLength(input.Length);
        if (output.Length < needed)
            throw new ArgumentException($"Output holds {output.Length} samples; {needed} are needed.", nameof(output));
        var written = 0;
        while (!input.IsEmpty)
        {
            var block = Math.Min(input.Length, BlockSize);
            written += ProcessBlock(input[..block], output[written..]);
            input = input[block..];
        }
        return written;
    }

    /// <summary>
    /// Feeds silence for the filter's delay so that every output depending on the input so far is produced;
    /// returns the number of samples written. The resampler then continues as if that silence had been input.
    /// </summary>
    public int Flush(Span<short> output)
    {
        Span<short> silence = stackalloc short[64];
        var samples = (int)Math.Ceiling(_bank.DelayInInputSamples);
        var needed = GetOutputLength(samples);
        if (output.Length < needed)
            throw new ArgumentException($"Output holds {output.Length} samples; {needed} are needed.", nameof(output));
        var written = 0;
        while (samples > 0)
        {
            var n = Math.Min(samples, silence.Length);
            written += ProcessBlock(silence[..n], output[written..]);
            samples -= n;
        }
        return written;
    }

    /// <summary>Output length of <see cref="Flush"/> in the current state.</summary>
    public int GetFlushLength() => GetOutputLength((int)Math.Ceiling(_bank.DelayInInputSamples));

    /// <summary>Forgets all history (e.g. after a barge-in), as if newly constructed.</summary>
    public void Reset()
    {
        Array.Clear(_work);
        _inputPos = 0;
        _phase = 0;
    }

    private int ProcessBlock(ReadOnlySpan<short> block, Span<short> output)
    {
        var taps = _bank.Taps;
        var l = _bank.L;
        var m = _bank.M;
        var coefficients = _bank.Coefficients;
        var work = _work;
        var history = taps - 1;
        for (var i = 0; i < block.Length; i++) work[history + i] = block[i];

        var written = 0;
        var pos = _inputPos;
        var phase = _phase;
        while (pos < block.Length)
        {
            // work[pos .. pos + taps) holds x[pos - taps + 1 .. pos]; coefficients are stored reversed.
            var y = Dot(coefficients.AsSpan(phase * taps, taps), work.AsSpan(pos, taps));
            output[written++] = ToPcm16(y);
            phase += m;
            pos += phase / l;
            phase %= l;
        }
        _inputPos = pos - block.Length;
        _phase = phase;
        // Keep the last taps - 1 inputs as history for the next block.
        work.AsSpan(block.Length, history).CopyTo(work);
        return written;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var i = 0;
        var sum = 0f;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            var acc = Vector<float>.Zero;
            for (var k = 0; k < va.Length; k++) acc += va[k] * vb[k];
            sum = Vector.Sum(acc);
            i = va.Length * Vector<float>.Count;
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static short ToPcm16(float y)
    {
        var rounded = (int)MathF.Round(y);
        return (short)Math.Clamp(rounded, short.MinValue, short.MaxValue);
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    /// <summary>Polyphase coefficients for one reduced ratio L/M, shared by every resampler using it.</summary>
    private sealed class FilterBank
    {
        private FilterBank(int l, int m, int taps, float[] coefficients, double delayInInputSamples)
        {
            L = l;
            M = m;
            Taps = taps;
            Coefficients = coefficients;
            DelayInInputSamples = delayInInputSamples;
        }

        public int L { get; }
        public int M { get; }

        /// <summary>Taps per polyphase branch (a multiple of 16 for SIMD).</summary>
        public int Taps { get; }

        /// <summary>L branches of <see cref="Taps"/> coefficients each, every branch reversed.</summary>
        public float[] Coefficients { get; }

        public double DelayInInputSamples { get; }

        public static FilterBank Design(int l, int m)
        {
            // Prototype runs at L × input rate; frequencies below are fractions of that rate.
            // Pass band ends at 85 % of the lower Nyquist, stop band starts at the lower Nyquist.
            var lowerNyquist = 0.5 / Math.Max(l, m);
            var transition = 0.15 * lowerNyquist;
            var cutoff = lowerNyquist - transition / 2;
            var length = (int)Math.Ceiling((StopbandDb - 8) / (2.285 * 2 * Math.PI * transition)) + 1;
            var taps = (length + l - 1) / l;
            taps = (taps + 15) / 16 * 16;
            var total = taps * l;

            var beta = 0.1102 * (StopbandDb - 8.7);
            var i0Beta = BesselI0(beta);
            var centre = (total - 1) / 2.0;
            var prototype = new double[total];
            for (var n = 0; n < total; n++)
            {
                var t = n - centre;
                var sinc = t == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
                var r = t / centre;
                var window = BesselI0(beta * Math.Sqrt(Math.Max(0, 1 - r * r))) / i0Beta;
                prototype[n] = sinc * window;
            }

            // Branch p computes y = Σ_k h[k·L + p] · x[i − k]; normalise each branch to unity DC gain.
            var coefficients = new float[total];
            for (var p = 0; p < l; p++)
            {
                var sum = 0.0;
                for (var k = 0; k < taps; k++) sum += prototype[k * l + p];
                for (var k = 0; k < taps; k++)
                    coefficients[p * taps + (taps - 1 - k)] = (float)(prototype[k * l + p] / sum);
            }
            return new FilterBank(l, m, taps, coefficients, centre / l);
        }

        private static double BesselI0(double x)
        {
            double sum = 1, term = 1, half = x / 2;
            for (var k = 1; k < 64; k++)
            {
                term *= half / k;
                var squared = term * term;
                sum += squared;
                if (squared < sum * 1e-17) break;
            }
            return sum;
        }
    }
}
