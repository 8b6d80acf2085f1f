using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Awaaz.Smartflo.Simulator.Caller;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;
using Awaaz.Smartflo.Streaming;

namespace Awaaz.Smartflo.Simulator.Load;

/// <summary>What a load run does: N calls started evenly over the ramp, each streaming for the duration, then hanging up.</summary>
public sealed record LoadOptions
{
    public required string ResolverUrl { get; init; }

    /// <summary>Concurrent calls in total (1–5000).</summary>
    public int Calls { get; init; } = 10;

    /// <summary>Call i starts at Ramp × i / Calls.</summary>
    public TimeSpan Ramp { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long each call streams before the caller hangs up.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public ResolverMethod Method { get; init; } = ResolverMethod.Post;

    public TimeSpan ResolverDeadline { get; init; } = TimeSpan.FromMilliseconds(2000);

    /// <summary>What every caller says (then silence).</summary>
    public CallerAudio Audio { get; init; } = CallerAudio.Silence;

    /// <summary>Every caller talks with the bot (speak, listen, sometimes interrupt) instead of streaming <see cref="Audio"/>.</summary>
    public ConversationOptions? Conversation { get; init; }

    public int FrameMs { get; init; } = 100;

    /// <summary>The number called (`$toNumber`): for inbound, a DID of the Awaaz connection.</summary>
    public string To { get; init; } = "8069000001";

    /// <summary>Caller i calls from <see cref="FirstFrom"/> + i (distinct numbers, so calls never collide in correlation).</summary>
    public long FirstFrom { get; init; } = 9_800_000_000;

    public CallDirection Direction { get; init; } = CallDirection.Inbound;

    /// <summary>A silence longer than this between two bot frames starts a new utterance (see <see cref="PlayoutAnalysis"/>).</summary>
    public TimeSpan UtteranceGap { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Linux pid of the server under test: its CPU and RSS are sampled every <see cref="SampleEvery"/>.</summary>
    public int? ServerPid { get; init; }

    public TimeSpan SampleEvery { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Extra time after ramp + duration before unfinished calls are aborted (the run always stops by itself).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>Live view of a run for progress displays.</summary>
public sealed record LoadProgress(double ElapsedSeconds, int Started, int Running, int Finished, int Failed, long BotMediaFrames, long Marks, long Violations, ProcessSample? Server);

/// <summary>Server resource use during the run.</summary>
public sealed record ServerUsage(int Pid, int Samples, Distribution CpuPercent, double MaxRssMb, double LastRssMb);

/// <summary>Everything a load run measured. Times in milliseconds.</summary>
public sealed record LoadResult
{
    public required int Calls { get; init; }
    public required double RampSeconds { get; init; }
    public required double DurationSeconds { get; init; }
    public required double ElapsedSeconds { get; init; }
    public required int Streamed { get; init; }
    public required int Failed { get; init; }
    /// <summary>Calls that ended as scripted: the caller hung up after the duration.</summary>
    public required int CompletedAsScripted { get; init; }
    /// <summary>Per outcome / end reason (`streamed/caller_hangup`, `resolver_failed`, …).</summary>
    public required IReadOnlyDictionary<string, int> Outcomes { get; init; }
    /// <summary>Distinct failure messages and how many calls had each.</summary>
    public required IReadOnlyDictionary<string, int> Errors { get; init; }
    public required Distribution ResolverLatencyMs { get; init; }
    /// <summary>`start` sent → first bot media frame.</summary>
    public required Distribution FirstAudioMs { get; init; }
    /// <summary>Per bot frame: arrival − real-time playout deadline within its utterance.</summary>
    public required Distribution LatenessMs { get; init; }
    /// <summary>Per underrun: the silence heard before the late frame.</summary>
    public required Distribution UnderrunStallMs { get; init; }
    /// <summary>Bot mark → its echo (the far end's playback wait).</summary>
    public required Distribution MarkRoundTripMs { get; init; }
    public required long BotMediaFrames { get; init; }
    public required int Utterances { get; init; }
    public required int Underruns { get; init; }
    public required int Marks { get; init; }
    public required int MarksEchoed { get; init; }
    public required int Clears { get; init; }
    /// <summary>Conversational callers: utterances spoken, and the barge-ins among them.</summary>
    public int CallerTurns { get; init; }
    public int BargeIns { get; init; }
    /// <summary>Barge-ins answered by a `clear`.</summary>
    public int BargeInsCleared { get; init; }
    /// <summary>Barge-in speech onset → `clear` received.</summary>
    public Distribution BargeInMs { get; init; } = Distribution.Empty;
    /// <summary>`clear`s after an utterance that was not a barge-in (the caller misjudged the end of the bot's reply).</summary>
    public int ClearsOnOtherTurns { get; init; }
    /// <summary>End of the caller's speech → first bot audio of the reply.</summary>
    public Distribution ReplyMs { get; init; } = Distribution.Empty;
    public required IReadOnlyDictionary<ViolationKind, int> Violations { get; init; }
    public int ViolationCount => Violations.Values.Sum();
    public ServerUsage? Server { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, SimJson.Options);
}

/// <summary>
/// A load run against a voice-bot server: <see cref="LoadOptions.Calls"/> simulated Smartflo calls (resolver → WebSocket →
/// caller audio → hang-up), bounded in count and time, measured per bot frame. Usable in-process by tests and
/// benchmarks; the CLI's `load` command is a thin shell around it.
/// </summary>
public sealed class LoadRun(LoadOptions options)
{
    private readonly ConcurrentQueue<SmartfloCaller> _callers = new();
    private readonly Stopwatch _clock = new();
    private volatile ProcessSample? _lastServerSample;

    public LoadOptions Options { get; } = Validate(options);

    public LoadProgress Progress
    {
        get
        {
            int running = 0, finished = 0, failed = 0;
            long media = 0, marks = 0, violations = 0;
            foreach (var caller in _callers)
            {
                var counters = caller.Counters;
                media += counters.BotMedia;
                marks += counters.Marks;
                violations += counters.Violations;
                if (!caller.Completion.IsCompleted)
                {
                    running++;
                }
                else if (counters.Outcome == CallerOutcome.Streamed)
                {
                    finished++;
                }
                else
                {
                    failed++;
                }
            }

            return new LoadProgress(_clock.Elapsed.TotalSeconds, _callers.Count, running, finished, failed, media, marks, violations, _lastServerSample);
        }
    }

    public async Task<LoadResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var sampler = Options.ServerPid is { } pid ? new ProcessSampler(pid) : null;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(Options.Ramp + Options.Duration + Options.Grace);
        using var stopSampling = new CancellationTokenSource();
        var samples = new List<ProcessSample>();
        var sampling = sampler is null ? Task.CompletedTask : SampleAsync(sampler, samples, stopSampling.Token);
        _clock.Start();

        var to = PhoneNumber.TryParse(Options.To)?.National ?? Options.To;
        try
        {
            for (var i = 0; i < Options.Calls && !bound.IsCancellationRequested; i++)
            {
                var due = Options.Calls == 1 ? TimeSpan.Zero : Options.Ramp * i / Options.Calls;
                var wait = due - _clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, bound.Token).ConfigureAwait(false);
                }

                _callers.Enqueue(SmartfloCaller.Start(new CallerOptions
                {
                    ResolverUrl = Options.ResolverUrl,
                    Method = Options.Method,
                    ResolverDeadline = Options.ResolverDeadline,
                    From = (Options.FirstFrom + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    To = to,
                    Direction = Options.Direction,
                    Audio = Options.Audio,
                    Conversation = Options.Conversation,
                    FrameMs = Options.FrameMs,
                    HangupAfter = Options.Duration,
                    MaxDuration = Options.Duration + Options.Grace,
                    RecordHeardAudio = false,
                    MaxFrameLog = 0,
                }, bound.Token));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Time bound reached during the ramp: measure what was started.
        }

        var results = await Task.WhenAll(_callers.Select(c => c.Completion)).ConfigureAwait(false);
        _clock.Stop();
        await stopSampling.CancelAsync().ConfigureAwait(false);
        await sampling.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return Summarise(results, samples);
    }

    private async Task SampleAsync(ProcessSampler sampler, List<ProcessSample> samples, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Options.SampleEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (sampler.Sample() is not { } sample)
                {
                    return;
                }

                samples.Add(sample);
                _lastServerSample = sample;
            }
        }
        catch (OperationCanceledException)
        {
            // Run over.
        }
    }

    private LoadResult Summarise(IReadOnlyList<CallerResult> results, List<ProcessSample> samples)
    {
        var playouts = results.Select(r => PlayoutAnalysis.Analyse(r.BotTimeline, Options.UtteranceGap)).ToList();
        var frames = playouts.SelectMany(p => p.Frames).ToList();
        var violations = new Dictionary<ViolationKind, int>();
        foreach (var (kind, count) in results.SelectMany(r => r.ViolationCounts))
        {
            violations[kind] = violations.GetValueOrDefault(kind) + count;
        }

        var streamed = results.Count(r => r.Outcome == CallerOutcome.Streamed);
        var turns = results.SelectMany(r => r.Turns).ToList();
        return new LoadResult
        {
            Calls = results.Count,
            RampSeconds = Options.Ramp.TotalSeconds,
            DurationSeconds = Options.Duration.TotalSeconds,
            ElapsedSeconds = _clock.Elapsed.TotalSeconds,
            Streamed = streamed,
            Failed = results.Count - streamed,
            CompletedAsScripted = results.Count(r => r.Outcome == CallerOutcome.Streamed && r.EndReason == StreamEndReason.CallerHangup),
            Outcomes = results.GroupBy(OutcomeName).ToDictionary(g => g.Key, g => g.Count()),
            Errors = results.Where(r => r.Failure is not null).GroupBy(r => r.Failure!).ToDictionary(g => g.Key, g => g.Count()),
            ResolverLatencyMs = Distribution.Of(results.Where(r => r.Resolver?.StatusCode is not null).Select(r => r.Resolver!.LatencyMs)),
            FirstAudioMs = Distribution.Of(results.Where(r => r.FirstBotAudioMs is not null).Select(r => r.FirstBotAudioMs!.Value)),
            LatenessMs = Distribution.Of(frames.Select(f => f.LatenessMs)),
            UnderrunStallMs = Distribution.Of(frames.Where(f => f.Underrun).Select(f => f.StallMs)),
            MarkRoundTripMs = Distribution.Of(results.SelectMany(r => r.Marks).Where(m => m.RoundTripMs is not null).Select(m => m.RoundTripMs!.Value)),
            BotMediaFrames = frames.Count,
            Utterances = playouts.Sum(p => p.Utterances),
            Underruns = frames.Count(f => f.Underrun),
            Marks = results.Sum(r => r.Marks.Count),
            MarksEchoed = results.Sum(r => r.Marks.Count(m => m.Echo is not null)),
            Clears = results.Sum(r => r.Clears.Count),
            CallerTurns = turns.Count,
            BargeIns = turns.Count(t => t.BargeIn),
            BargeInsCleared = turns.Count(t => t.BargeIn && t.ClearMs is not null),
            BargeInMs = Distribution.Of(turns.Where(t => t.BargeIn && t.ClearLatencyMs is not null).Select(t => t.ClearLatencyMs!.Value)),
            ClearsOnOtherTurns = turns.Count(t => !t.BargeIn && t.ClearMs is not null),
            ReplyMs = Distribution.Of(turns.Where(t => t.ReplyLatencyMs is not null).Select(t => t.ReplyLatencyMs!.Value)),
            Violations = violations,
            Server = Options.ServerPid is { } pid
                ? new ServerUsage(pid, samples.Count, Distribution.Of(samples.Select(s => s.CpuPercent)),
                    samples.Count == 0 ? 0 : samples.Max(s => s.RssMb), samples.Count == 0 ? 0 : samples[^1].RssMb)
                : null,
        };
    }

    private static string OutcomeName(CallerResult result) =>
        result.Outcome == CallerOutcome.Streamed
            ? $"streamed/{JsonNamingPolicy.SnakeCaseLower.ConvertName(result.EndReason?.ToString() ?? "running")}"
            : JsonNamingPolicy.SnakeCaseLower.ConvertName(result.Outcome.ToString());

    private static LoadOptions Validate(LoadOptions options)
    {
        if (options.Calls is < 1 or > 5000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Calls must be 1–5000.");
        }

        if (options.Duration <= TimeSpan.Zero || options.Duration > TimeSpan.FromHours(2) || options.Ramp < TimeSpan.Zero || options.Ramp > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Duration must be (0, 2 h] and ramp [0, 1 h].");
        }

        return options;
    }
}
