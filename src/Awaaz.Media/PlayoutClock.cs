namespace Awaaz.Media;

/// <summary>
/// Awaaz's model of Smartflo's playback of agent audio (spec §11.4 pacing, §11.5 clear). Smartflo plays queued
/// 8 kHz µ-law in real time; this clock counts the audio sent against the time elapsed since playback started,
/// tells the sender how long to wait so it stays at most <see cref="MaxLead"/> ahead, and says how much of the sent
/// audio has been played (for barge-in truncation and the recording). Playback restarts when the modelled queue
/// drains and on <see cref="Clear"/>. Positions are byte offsets in the stream's sent audio (never reset); times
/// are media time, i.e. elapsed since the clock was created at stream start. Pure logic over a
/// <see cref="TimeProvider"/>: it never sleeps or schedules. Not thread-safe: one instance per call.
/// </summary>
public sealed class PlayoutClock
{
    /// <summary>8 kHz, one byte per µ-law sample.</summary>
    public const int BytesPerSecond = 8000;

    /// <summary>Spec default for <c>max_playout_lead_ms</c>.</summary>
    public static readonly TimeSpan DefaultMaxLead = TimeSpan.FromMilliseconds(600);

    private const long TicksPerByte = TimeSpan.TicksPerSecond / BytesPerSecond; // 1 250

    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly long _maxLeadTicks;
    private long _sent;              // bytes sent over the stream's lifetime
    private bool _playing;
    private long _runStartTicks;     // media time when the current playback run started
    private long _runStartOffset;    // sent offset at which the current run started
    private long _playedWhenStopped; // played offset while not playing
    private long _clearedFrom = -1;  // [_clearedFrom, _clearedTo) was discarded by the last clear
    private long _clearedTo = -1;

    /// <param name="time">Clock; media time zero is the moment of construction (create it when the stream starts).</param>
    /// <param name="maxLead"><c>max_playout_lead_ms</c>; defaults to 600 ms.</param>
    public PlayoutClock(TimeProvider time, TimeSpan? maxLead = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        var lead = maxLead ?? DefaultMaxLead;
        if (lead <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxLead), lead, "The playout lead must be positive.");
        _time = time;
        _origin = time.GetTimestamp();
        MaxLead = lead;
        _maxLeadTicks = lead.Ticks;
    }

    public TimeSpan MaxLead { get; }

    /// <summary>Media time: elapsed since the clock was created.</summary>
    public TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>Whether sent audio is still being played (the modelled queue is not empty).</summary>
    public bool IsPlaying
    {
        get
        {
            Settle(Now.Ticks);
            return _playing;
        }
    }

    /// <summary>Audio sent but not yet played.</summary>
    public TimeSpan Lead
    {
        get
        {
            var now = Now.Ticks;
            Settle(now);
            return _playing ? TimeSpan.FromTicks(LeadTicks(now)) : TimeSpan.Zero;
        }
    }

    /// <summary>Bytes sent over the stream's lifetime (the offset the next frame will start at).</summary>
    public long SentBytes => _sent;

    /// <summary>Offset up to which sent audio has been played (audio discarded by a clear is skipped).</summary>
    public long PlayedBytes
    {
        get
        {
            var now = Now.Ticks;
            Settle(now);
            return PlayedAt(now);
        }
    }

    /// <summary>Duration of <paramref name="bytes"/> of 8 kHz µ-law.</summary>
    public static TimeSpan DurationOf(long bytes) => TimeSpan.FromTicks(bytes * TicksPerByte);

    /// <summary>
    /// How long to wait before sending <paramref name="bytes"/> so that the lead stays within <see cref="MaxLead"/>;
    /// zero when nothing is playing. Never longer than the current lead, so pacing alone never lets playback run dry.
    /// </summary>
    public TimeSpan DelayBeforeSending(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var now = Now.Ticks;
        Settle(now);
        if (!_playing) return TimeSpan.Zero;
        var lead = LeadTicks(now);
        var excess = lead + bytes * TicksPerByte - _maxLeadTicks;
        return TimeSpan.FromTicks(Math.Clamp(excess, 0, lead));
    }

    /// <summary>
    /// Records that <paramref name="bytes"/> were sent now; returns the media time at which they start playing
    /// (now if playback had stopped, else right after the audio already queued).
    /// </summary>
    public TimeSpan Sent(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var now = Now.Ticks;
        Settle(now);
        if (!_playing)
        {
            if (bytes == 0) return TimeSpan.FromTicks(now);
            _playing = true;
            _runStartTicks = now;
            _runStartOffset = _sent;
        }
        var start = _runStartTicks + (_sent - _runStartOffset) * TicksPerByte;
        _sent += bytes;
        return TimeSpan.FromTicks(start);
    }

    /// <summary>
    /// Records that a <c>clear</c> was sent now: queued audio is discarded and playback stops. Returns the played
    /// offset at this moment; audio from there to <see cref="SentBytes"/> was never heard.
    /// </summary>
    public long Clear()
    {
        var now = Now.Ticks;
        Settle(now);
        var played = PlayedAt(now);
        if (played < _sent)
        {
            _clearedFrom = played;
            _clearedTo = _sent;
        }
        _playing = false;
        _playedWhenStopped = played;
        return played;
    }

    /// <summary>
    /// How much of the sent range [<paramref name="start"/>, <paramref name="end"/>) the caller has heard so far.
    /// Exact for audio sent since the previous clear (the barge-in case); audio discarded by the last clear is
    /// never counted.
    /// </summary>
    public TimeSpan HeardOf(long start, long end)
    {
        if (end < start) throw new ArgumentException("The range ends before it starts.", nameof(end));
        // The played offset jumps over discarded audio once the next run starts, so remove that part of the prefix.
        var played = PlayedBytes;
        var heard = Overlap(start, end, 0, played) - Overlap(start, end, _clearedFrom, Math.Min(_clearedTo, played));
        return DurationOf(Math.Max(0, heard));
    }

    private static long Overlap(long a0, long a1, long b0, long b1) => Math.Max(0, Math.Min(a1, b1) - Math.Max(a0, b0));

    private long LeadTicks(long now) => (_sent - _runStartOffset) * TicksPerByte - (now - _runStartTicks);

    private long PlayedAt(long now) =>
        _playing ? _runStartOffset + (now - _runStartTicks) / TicksPerByte : _playedWhenStopped;

    /// <summary>Ends the current run if everything sent has been played by <paramref name="now"/>.</summary>
    private void Settle(long now)
    {
        if (_playing && LeadTicks(now) <= 0)
        {
            _playing = false;
            _playedWhenStopped = _sent;
        }
    }
}
