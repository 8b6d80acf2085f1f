namespace Awaaz.Smartflo.Simulator.Load;

/// <summary>Summary of a sample: count, min, mean, nearest-rank p50/p95/p99, max (all from the full sorted sample).</summary>
public sealed record Distribution(int Count, double Min, double Mean, double P50, double P95, double P99, double Max)
{
    public static readonly Distribution Empty = new(0, 0, 0, 0, 0, 0, 0);

    public static Distribution Of(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return Empty;
        }

        return new Distribution(sorted.Length, sorted[0], sorted.Average(), Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1]);
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="p"/> of the sample at or below it.</summary>
    public static double Rank(IReadOnlyList<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
