namespace Awaaz.Media.Tests.Support;

/// <summary>Test signals and measurements.</summary>
internal static class Signals
{
    public static short[] Sine(double frequency, int sampleRate, int count, double amplitude = 10_000, double phase = 0)
    {
        var samples = new short[count];
        for (var i = 0; i < count; i++)
            samples[i] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * i / sampleRate + phase));
        return samples;
    }

    public static short[] Noise(int seed, int count, int amplitude = 12_000)
    {
        var random = new Random(seed);
        var samples = new short[count];
        for (var i = 0; i < count; i++) samples[i] = (short)random.Next(-amplitude, amplitude + 1);
        return samples;
    }

    public static double Rms(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty) return 0;
        double sum = 0;
        foreach (var s in samples) sum += (double)s * s;
        return Math.Sqrt(sum / samples.Length);
    }

    /// <summary>
    /// Least-squares fit of a·sin + b·cos + c at <paramref name="frequency"/>; returns the fitted amplitude
    /// and the ratio of fitted-sine power to residual power in dB. A wrong frequency leaves a large residual.
    /// </summary>
    public static (double Amplitude, double SnrDb) FitSine(ReadOnlySpan<short> samples, double frequency, int sampleRate)
    {
        // Normal equations for the three basis functions.
        double ss = 0, sc = 0, s1 = 0, cc = 0, c1 = 0, n = samples.Length, ys = 0, yc = 0, y1 = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var w = 2 * Math.PI * frequency * i / sampleRate;
            double s = Math.Sin(w), c = Math.Cos(w), y = samples[i];
            ss += s * s; sc += s * c; s1 += s; cc += c * c; c1 += c;
            ys += y * s; yc += y * c; y1 += y;
        }
        var solution = Solve3(ss, sc, s1, sc, cc, c1, s1, c1, n, ys, yc, y1);
        double a = solution.X, b = solution.Y, d = solution.Z;
        double signal = 0, residual = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var w = 2 * Math.PI * frequency * i / sampleRate;
            var fit = a * Math.Sin(w) + b * Math.Cos(w) + d;
            signal += fit * fit;
            var e = samples[i] - fit;
            residual += e * e;
        }
        return (Math.Sqrt(a * a + b * b), 10 * Math.Log10(signal / Math.Max(residual, 1e-9)));
    }

    private static (double X, double Y, double Z) Solve3(
        double a11, double a12, double a13, double a21, double a22, double a23, double a31, double a32, double a33,
        double b1, double b2, double b3)
    {
        var det = a11 * (a22 * a33 - a23 * a32) - a12 * (a21 * a33 - a23 * a31) + a13 * (a21 * a32 - a22 * a31);
        var x = (b1 * (a22 * a33 - a23 * a32) - a12 * (b2 * a33 - a23 * b3) + a13 * (b2 * a32 - a22 * b3)) / det;
        var y = (a11 * (b2 * a33 - a23 * b3) - b1 * (a21 * a33 - a23 * a31) + a13 * (a21 * b3 - b2 * a31)) / det;
        var z = (a11 * (a22 * b3 - b2 * a32) - a12 * (a21 * b3 - b2 * a31) + b1 * (a21 * a32 - a22 * a31)) / det;
        return (x, y, z);
    }

    public static double Db(double ratio) => 20 * Math.Log10(Math.Max(ratio, 1e-12));
}
