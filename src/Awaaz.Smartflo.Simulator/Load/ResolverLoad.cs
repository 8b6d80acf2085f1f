using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Smartflo.Simulator.Load;

/// <summary>
/// An open-loop resolver load: request i is due at <c>i / Rate</c> seconds, whatever happened to earlier requests, so a slow
/// server cannot slow the generator down and hide its own latency (no coordinated omission). Bounded by
/// <see cref="Duration"/> (requests) plus the resolver deadline (answers) and by <see cref="MaxInFlight"/>.
/// </summary>
public sealed record ResolverLoadOptions
{
    public required string ResolverUrl { get; init; }

    /// <summary>Requests per second (1–20 000).</summary>
    public double Rate { get; init; } = 100;

    /// <summary>Requests are due during this time (≤ 10 min).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests due before this offset are sent but left out of the summary (JIT, pools, caches).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.Zero;

    public ResolverMethod Method { get; init; } = ResolverMethod.Post;

    /// <summary>`$toNumber`. A DID assigned to an agent creates inbound calls; any other number exercises the decline path.</summary>
    public string To { get; init; } = "8000000000";

    /// <summary>Request i comes from this number + i (`$fromNumber`), with its own `$callId`.</summary>
    public long FirstFrom { get; init; } = 9_700_000_000;

    public TimeSpan Deadline { get; init; } = TimeSpan.FromMilliseconds(2000);

    /// <summary>A request due while this many are unanswered is not sent and counts as <c>skipped</c> (a failure).</summary>
    public int MaxInFlight { get; init; } = 2000;

    /// <summary>Linux pid of the server under test: CPU and RSS sampled every second.</summary>
    public int? ServerPid { get; init; }
}

/// <summary>Latency summary with the tail percentiles a rate test needs (nearest rank over the full sample), in ms.</summary>
public sealed record LatencySummary(int Count, double Min, double Mean, double P50, double P90, double P99, double P999, double Max)
{
    public static LatencySummary Of(IEnumerable<double> values)
    {
        var s = values.Where(double.IsFinite).Order().ToArray();
        return s.Length == 0
            ? new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0)
            : new LatencySummary(s.Length, s[0], s.Average(), Distribution.Rank(s, 0.5), Distribution.Rank(s, 0.9), Distribution.Rank(s, 0.99), Distribution.Rank(s, 0.999), s[^1]);
    }
}

/// <summary>One second of the run (by due time): how many were due, answered within the deadline, and their latency.</summary>
public sealed record ResolverSecond(int Second, int Due, int Answered, double P50, double P99, double Max);

public sealed record ResolverLoadResult
{
    public required double Rate { get; init; }
    public required double DurationSeconds { get; init; }
    public required double WarmupSeconds { get; init; }
    public required int Due { get; init; }
    public required int Measured { get; init; }
    /// <summary>Requests sent per second of send time (all requests).</summary>
    public required double AchievedSendRate { get; init; }
    /// <summary>Measured requests by verdict (`accepted`, `declined`, `timeout`, …, `skipped`).</summary>
    public required IReadOnlyDictionary<string, int> Verdicts { get; init; }
    /// <summary>Measured requests by HTTP status (`none` when there was no answer).</summary>
    public required IReadOnlyDictionary<string, int> Statuses { get; init; }
    /// <summary>Due time → complete answer (coordinated-omission free): what Smartflo would see.</summary>
    public required LatencySummary LatencyMs { get; init; }
    /// <summary>Actual send → complete answer.</summary>
    public required LatencySummary ServiceMs { get; init; }
    /// <summary>Due time → actual send: the generator's own lateness.</summary>
    public required LatencySummary SendLagMs { get; init; }
    public required IReadOnlyList<ResolverSecond> PerSecond { get; init; }
    public required int MaxInFlightSeen { get; init; }
    public ServerUsage? Server { get; init; }
    /// <summary>This process (the generator) over the run: CPU seconds used / wall seconds × 100.</summary>
    public required double GeneratorCpuPercent { get; init; }
    public int Failures => Verdicts.Where(v => v.Key is not ("accepted" or "declined")).Sum(v => v.Value);

    public string ToJson() => JsonSerializer.Serialize(this, SimJson.Options);
}

public sealed class ResolverLoad(ResolverLoadOptions options)
{
    private struct Sample
    {
        public double DueMs;
        public double SentMs;
        public double DoneMs;
        public double ServiceMs;
        public ResolverVerdict? Verdict;
        public int? Status;
        public bool Skipped;
    }

    private readonly Stopwatch _clock = new();
    private int _inFlight;
    private int _maxInFlight;
    private int _sent;
    private int _done;

    public ResolverLoadOptions Options { get; } = Validate(options);

    /// <summary>(elapsed s, sent, answered, in flight) for progress displays.</summary>
    public (double Elapsed, int Sent, int Answered, int InFlight) Progress => (_clock.Elapsed.TotalSeconds, Volatile.Read(ref _sent), Volatile.Read(ref _done), Volatile.Read(ref _inFlight));

    public async Task<ResolverLoadResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var count = (int)Math.Floor(Options.Rate * Options.Duration.TotalSeconds);
        var samples = new Sample[count];
        var pending = new Task[count];
        var sampler = Options.ServerPid is { } pid ? new ProcessSampler(pid) : null;
        var serverSamples = new List<ProcessSample>();
        using var stopSampling = new CancellationTokenSource();
        var sampling = sampler is null ? Task.CompletedTask : SampleAsync(sampler, serverSamples, stopSampling.Token);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var to = Options.To;
        var calls = $"h9.08-{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.";

        _clock.Start();
        // A dedicated thread keeps the schedule: it only stamps and queues, the thread pool does the I/O.
        var scheduler = new Thread(() =>
        {
            var intervalMs = 1000.0 / Options.Rate;
            for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
            {
                var due = i * intervalMs;
                // Sleep in whole milliseconds rather than spin (the generator shares the machine with the server): a request
                // goes out up to ~1 ms after its due time, and that lag counts in its latency (SendLagMs shows it).
                while (_clock.Elapsed.TotalMilliseconds < due)
                {
                    var wait = due - _clock.Elapsed.TotalMilliseconds;
                    Thread.Sleep(Math.Max(1, (int)wait));
                }

                samples[i].DueMs = due;
                if (Volatile.Read(ref _inFlight) >= Options.MaxInFlight)
                {
                    samples[i].Skipped = true;
                    pending[i] = Task.CompletedTask;
                    continue;
                }

                var inFlight = Interlocked.Increment(ref _inFlight);
                if (inFlight > _maxInFlight)
                {
                    _maxInFlight = inFlight;
                }

                var index = i;
                var request = new ResolverRequest(Options.ResolverUrl, Options.Method, calls + (1_000_000 + i).ToString(CultureInfo.InvariantCulture),
                    (Options.FirstFrom + i).ToString(CultureInfo.InvariantCulture), to, "answered", Options.Deadline);
                pending[i] = Task.Run(async () =>
                {
                    samples[index].SentMs = _clock.Elapsed.TotalMilliseconds;
                    Interlocked.Increment(ref _sent);
                    try
                    {
                        var exchange = await ResolverClient.CallAsync(request, cancellationToken).ConfigureAwait(false);
                        samples[index].DoneMs = _clock.Elapsed.TotalMilliseconds;
                        samples[index].ServiceMs = exchange.LatencyMs;
                        samples[index].Verdict = exchange.Verdict;
                        samples[index].Status = exchange.StatusCode;
                    }
                    catch (Exception) when (!cancellationToken.IsCancellationRequested)
                    {
                        samples[index].Verdict = null; // counted as `none`: no answer of any kind
                    }
                    finally
                    {
                        if (samples[index].DoneMs == 0)
                        {
                            samples[index].DoneMs = _clock.Elapsed.TotalMilliseconds;
                        }

                        Interlocked.Decrement(ref _inFlight);
                        Interlocked.Increment(ref _done);
                    }
                }, CancellationToken.None);
            }
        }) { IsBackground = true, Name = "resolver-load scheduler", Priority = ThreadPriority.AboveNormal };
        scheduler.Start();
        await Task.Run(scheduler.Join, CancellationToken.None).ConfigureAwait(false);
        var sendSeconds = _clock.Elapsed.TotalSeconds;
        await Task.WhenAll(pending.Where(p => p is not null)).ConfigureAwait(false);
        var wall = _clock.Elapsed;
        _clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        await stopSampling.CancelAsync().ConfigureAwait(false);
        await sampling.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        var warmupMs = Options.Warmup.TotalMilliseconds;
        var measured = samples.Where(s => s.DueMs >= warmupMs).ToList();
        static string VerdictName(Sample s) => s.Skipped ? "skipped" : JsonNamingPolicy.SnakeCaseLower.ConvertName(s.Verdict?.ToString() ?? "none");
        bool Answered(Sample s) => s.Verdict is ResolverVerdict.Accepted or ResolverVerdict.Declined;
        return new ResolverLoadResult
        {
            Rate = Options.Rate,
            DurationSeconds = Options.Duration.TotalSeconds,
            WarmupSeconds = Options.Warmup.TotalSeconds,
            Due = count,
            Measured = measured.Count,
            AchievedSendRate = sendSeconds > 0 ? _sent / sendSeconds : 0,
            Verdicts = measured.GroupBy(VerdictName).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            Statuses = measured.GroupBy(s => s.Status?.ToString(CultureInfo.InvariantCulture) ?? "none").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            // A request with no answer counts with its full wait (deadline), so timeouts raise the tail instead of vanishing.
            LatencyMs = LatencySummary.Of(measured.Where(s => !s.Skipped).Select(s => s.DoneMs - s.DueMs)),
            ServiceMs = LatencySummary.Of(measured.Where(s => !s.Skipped).Select(s => s.ServiceMs)),
            SendLagMs = LatencySummary.Of(measured.Where(s => !s.Skipped).Select(s => s.SentMs - s.DueMs)),
            PerSecond = samples.GroupBy(s => (int)(s.DueMs / 1000)).OrderBy(g => g.Key).Select(g =>
            {
                var lat = g.Where(s => !s.Skipped).Select(s => s.DoneMs - s.DueMs).Order().ToArray();
                return new ResolverSecond(g.Key, g.Count(), g.Count(Answered),
                    lat.Length == 0 ? 0 : Distribution.Rank(lat, 0.5), lat.Length == 0 ? 0 : Distribution.Rank(lat, 0.99), lat.Length == 0 ? 0 : lat[^1]);
            }).ToList(),
            MaxInFlightSeen = _maxInFlight,
            Server = Options.ServerPid is { } serverPid
                ? new ServerUsage(serverPid, serverSamples.Count, Distribution.Of(serverSamples.Select(s => s.CpuPercent)),
                    serverSamples.Count == 0 ? 0 : serverSamples.Max(s => s.RssMb), serverSamples.Count == 0 ? 0 : serverSamples[^1].RssMb)
                : null,
            GeneratorCpuPercent = wall.TotalSeconds > 0 ? cpu.TotalSeconds / wall.TotalSeconds * 100 : 0,
        };
    }

    private static async Task SampleAsync(ProcessSampler sampler, List<ProcessSample> samples, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (sampler.Sample() is not { } sample)
                {
                    return;
                }

                samples.Add(sample);
            }
        }
        catch (OperationCanceledException)
        {
            // Run over.
        }
    }

    private static ResolverLoadOptions Validate(ResolverLoadOptions options)
    {
        if (options.Rate is < 1 or > 20_000 || double.IsNaN(options.Rate))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Rate must be 1–20000 requests/s.");
        }

        if (options.Duration <= TimeSpan.Zero || options.Duration > TimeSpan.FromMinutes(10) || options.Warmup < TimeSpan.Zero || options.Warmup >= options.Duration)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Duration must be (0, 10 min] and warm-up [0, duration).");
        }

        if (options.MaxInFlight is < 1 or > 20_000 || options.Deadline <= TimeSpan.Zero || options.Deadline > TimeSpan.FromSeconds(30))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Max in flight must be 1–20000 and the deadline (0, 30 s].");
        }

        return options;
    }
}
