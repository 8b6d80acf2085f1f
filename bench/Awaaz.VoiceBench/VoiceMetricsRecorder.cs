using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Awaaz.VoiceBench;

/// <summary>
/// Keeps every value the server records on the <c>Awaaz.Voice</c> histograms (turn latency breakdown, barge-in latency),
/// so the bench can report exact percentiles: <c>GET /_bench/voice-metrics[?reset=true]</c>.
/// </summary>
public sealed class VoiceMetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _values = new();

    public VoiceMetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Awaaz.Voice" && instrument is Histogram<int>) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => _values.GetOrAdd(instrument.Name, _ => new()).Enqueue(value));
        _listener.Start();
    }

    /// <summary>Per histogram: count, mean, p50/p95/p99 (nearest rank), max; <paramref name="reset"/> starts afresh.</summary>
    public Dictionary<string, object> Summary(bool reset)
    {
        var summary = new Dictionary<string, object>();
        foreach (var (name, queue) in _values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var sorted = queue.Order().ToArray();
            if (reset) queue.Clear();
            if (sorted.Length == 0) continue;
            int Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
            summary[name] = new { count = sorted.Length, mean = Math.Round(sorted.Average(), 1), p50 = Rank(0.5), p95 = Rank(0.95), p99 = Rank(0.99), max = sorted[^1] };
        }
        return summary;
    }

    public void Dispose() => _listener.Dispose();
}
