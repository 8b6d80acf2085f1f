namespace Awaaz.Media;

/// <summary>
/// Records a call as a stereo 8 kHz PCM16 WAV (left: caller, right: agent) on the media timeline, so the file holds
/// what the caller actually heard, when they heard it (spec §11.3, §11.5):
/// <list type="bullet">
/// <item>Caller audio is placed by Smartflo's <c>timestamp</c> (ms since stream start). A chunk within 60 ms of
/// where the previous one ended is joined to it (jitter), a larger gap is left as silence, an earlier position
/// (reordered or repeated chunk) is honoured. Without a timestamp the chunk is taken to end at its arrival.</item>
/// <item>Agent audio is placed at its playout time from <see cref="PlayoutClock.Sent"/>.</item>
/// <item><see cref="TruncateAgent"/> (on <c>clear</c>, and implicitly at <see cref="Complete"/>) removes agent audio
/// scheduled after that moment: it was queued but never played.</item>
/// </list>
/// Memory is bounded: only a window of <c>holdback + lookahead</c> is kept (µ-law, one byte per sample per track);
/// audio older than <c>arrival − holdback</c> is written out as it goes. All times are media time (the
/// <see cref="PlayoutClock.Now"/> scale, zero at stream start). Thread-safe: the receive and send loops may both
/// append (a short uncontended lock per chunk).
/// </summary>
public sealed class CallRecorder : IDisposable
{
    public const int SampleRate = 8000;

    /// <summary>Default time caller audio may arrive late and still be placed.</summary>
    public static readonly TimeSpan DefaultHoldback = TimeSpan.FromSeconds(1);

    /// <summary>Default time ahead of the latest caller arrival that agent audio may be scheduled.</summary>
    public static readonly TimeSpan DefaultLookahead = TimeSpan.FromSeconds(1.5);

    private const int JoinSamples = 60 * SampleRate / 1000; // gaps up to 60 ms are closed
    private const long TicksPerSample = TimeSpan.TicksPerSecond / SampleRate;
    private const int CommitFrames = 1024;
    private const long MaxTimestampMs = long.MaxValue / 64; // larger values are treated as missing (no overflow)

    private readonly Lock _gate = new();
    private readonly WavWriter _writer;
    private readonly byte[] _caller; // ring of µ-law samples, index = sample % window
    private readonly byte[] _agent;
    private readonly short[] _interleaved = new short[CommitFrames * 2];
    private readonly int _window;
    private readonly long _holdbackSamples;
    private long _windowStart;     // first sample not yet written to the file
    private long _callerNext = -1; // where the previous caller chunk ended
    private long _callerEnd;       // end of the latest caller audio
    private long _agentEnd;        // end of the latest agent audio
    private long _timestampOffset; // samples added to timestamp positions after a resync
    private bool _completed;

    /// <param name="destination">Where the WAV goes; seekable streams get exact header sizes at the end.</param>
    /// <param name="leaveOpen">Keep <paramref name="destination"/> open after <see cref="Complete"/>.</param>
    /// <param name="holdback">How late caller audio may arrive and still be placed (default 1 s).</param>
    /// <param name="lookahead">How far past the caller's latest arrival agent audio may be scheduled; must cover
    /// the maximum playout lead plus one frame (default 1.5 s).</param>
    public CallRecorder(Stream destination, bool leaveOpen = false, TimeSpan? holdback = null, TimeSpan? lookahead = null)
    {
        var hold = holdback ?? DefaultHoldback;
        var ahead = lookahead ?? DefaultLookahead;
        if (hold < TimeSpan.FromMilliseconds(100)) throw new ArgumentOutOfRangeException(nameof(holdback), hold, "At least 100 ms.");
        if (ahead < TimeSpan.FromMilliseconds(100)) throw new ArgumentOutOfRangeException(nameof(lookahead), ahead, "At least 100 ms.");
        if (hold + ahead > TimeSpan.FromMinutes(1)) throw new ArgumentOutOfRangeException(nameof(lookahead), ahead, "Holdback plus lookahead is at most a minute.");
        _writer = new WavWriter(destination, SampleRate, 2, leaveOpen);
        _holdbackSamples = hold.Ticks / TicksPerSample;
        _window = (int)((hold + ahead).Ticks / TicksPerSample);
        _caller = new byte[_window];
        _agent = new byte[_window];
        _caller.AsSpan().Fill(MuLaw.Silence);
        _agent.AsSpan().Fill(MuLaw.Silence);
    }

    /// <summary>Creates the file at <paramref name="path"/> (overwriting it) and records into it.</summary>
    public static CallRecorder Create(string path, TimeSpan? holdback = null, TimeSpan? lookahead = null) =>
        new(new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 32 * 1024), leaveOpen: false, holdback, lookahead);

    /// <summary>Duration already written to the destination.</summary>
    public TimeSpan Written
    {
        get
        {
            lock (_gate) return TimeSpan.FromTicks(_windowStart * TicksPerSample);
        }
    }

    /// <summary>Caller bytes dropped because they arrived for a stretch already written (or after completion).</summary>
    public long DroppedCallerBytes { get; private set; }

    /// <summary>Agent bytes dropped because they were scheduled before the written stretch (or after completion).</summary>
    public long DroppedAgentBytes { get; private set; }

    /// <summary>Times caller timestamps disagreed with arrival times so much that placement was re-anchored on arrival.</summary>
    public int TimestampResyncs { get; private set; }

    /// <summary>Adds caller audio from a Smartflo <c>media</c> message.</summary>
    /// <param name="mulaw">Decoded payload.</param>
    /// <param name="timestampMs"><c>media.timestamp</c>, or null when absent or unparsable (negative values count as absent).</param>
    /// <param name="arrival">Media time the message arrived.</param>
    public void AppendCaller(ReadOnlySpan<byte> mulaw, long? timestampMs, TimeSpan arrival)
    {
        lock (_gate)
        {
            if (_completed)
            {
                DroppedCallerBytes += mulaw.Length;
                return;
            }
            var arrived = ToSample(arrival);
            var byArrival = Math.Max(0, arrived - mulaw.Length);
            long position;
            if (timestampMs is { } ms and >= 0 and <= MaxTimestampMs)
            {
                position = ms * SampleRate / 1000 + _timestampOffset;
                // Timestamps that would land before the open window, or beyond what has arrived, are on another base.
                if (position < _windowStart || position > byArrival + _holdbackSamples)
                {
                    _timestampOffset += byArrival - position;
                    position = byArrival;
                    TimestampResyncs++;
                }
            }
            else
            {
                position = byArrival;
            }
            if (_callerNext >= 0 && Math.Abs(position - _callerNext) <= JoinSamples) position = _callerNext;

            DroppedCallerBytes += Place(_caller, mulaw, position);
            var end = position + mulaw.Length;
            _callerNext = Math.Max(_callerNext, end);
            _callerEnd = Math.Max(_callerEnd, end);
            Commit(arrived - _holdbackSamples);
        }
    }

    /// <summary>Adds agent audio sent to Smartflo, at the playout start <see cref="PlayoutClock.Sent"/> returned.</summary>
    public void AppendAgent(ReadOnlySpan<byte> mulaw, TimeSpan playoutStart)
    {
        lock (_gate)
        {
            if (_completed)
            {
                DroppedAgentBytes += mulaw.Length;
                return;
            }
            var position = ToSample(playoutStart);
            DroppedAgentBytes += Place(_agent, mulaw, position);
            _agentEnd = Math.Max(_agentEnd, position + mulaw.Length);
        }
    }

    /// <summary>
    /// Removes agent audio scheduled at or after <paramref name="at"/> (call with <see cref="PlayoutClock.Now"/>
    /// when a <c>clear</c> is sent): the caller never heard it.
    /// </summary>
    public void TruncateAgent(TimeSpan at)
    {
        lock (_gate)
        {
            if (!_completed) Truncate(ToSample(at));
        }
    }

    /// <summary>
    /// Ends the recording at media time <paramref name="end"/> (stream stop): agent audio not yet played is
    /// removed, everything else is written, and the WAV header is finalised. Later calls do nothing.
    /// </summary>
    public void Complete(TimeSpan end)
    {
        lock (_gate)
        {
            if (_completed) return;
            var endSample = ToSample(end);
            Truncate(endSample);
            Finish(Math.Max(endSample, Math.Max(_callerEnd, _agentEnd)));
        }
    }

    /// <summary>Completes the recording with everything received if <see cref="Complete"/> was not called.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_completed) Finish(Math.Max(_callerEnd, _agentEnd));
        }
    }

    private void Finish(long endSample)
    {
        _completed = true;
        try
        {
            Commit(endSample);
        }
        finally
        {
            _writer.Dispose();
        }
    }

    private static long ToSample(TimeSpan time) => Math.Max(0, time.Ticks / TicksPerSample);

    /// <summary>Writes <paramref name="audio"/> into a track at <paramref name="position"/>; returns bytes dropped as too old.</summary>
    private int Place(byte[] track, ReadOnlySpan<byte> audio, long position)
    {
        var dropped = 0;
        while (!audio.IsEmpty)
        {
            if (position < _windowStart)
            {
                var old = (int)Math.Min(audio.Length, _windowStart - position);
                dropped += old;
                audio = audio[old..];
                position += old;
                continue;
            }
            // At most one window at a time; audio beyond the window pushes the oldest stretch out to the file first.
            var piece = audio[..Math.Min(audio.Length, _window)];
            var end = position + piece.Length;
            if (end > _windowStart + _window) Commit(end - _window);
            while (!piece.IsEmpty)
            {
                var index = (int)(position % _window);
                var n = Math.Min(piece.Length, _window - index);
                piece[..n].CopyTo(track.AsSpan(index));
                piece = piece[n..];
                audio = audio[n..];
                position += n;
            }
        }
        return dropped;
    }

    private void Truncate(long from)
    {
        var start = Math.Max(from, _windowStart);
        if (_agentEnd > start) Silence(_agent, start, _agentEnd);
        _agentEnd = Math.Min(_agentEnd, Math.Max(from, _windowStart));
    }

    private void Silence(byte[] track, long from, long to)
    {
        for (var position = from; position < to;)
        {
            var index = (int)(position % _window);
            var n = (int)Math.Min(to - position, _window - index);
            track.AsSpan(index, n).Fill(MuLaw.Silence);
            position += n;
        }
    }

    /// <summary>Writes both tracks up to <paramref name="until"/> and frees that stretch of the window.</summary>
    private void Commit(long until)
    {
        while (_windowStart < until)
        {
            var index = (int)(_windowStart % _window);
            var frames = (int)Math.Min(Math.Min(until - _windowStart, CommitFrames), _window - index);
            var caller = _caller.AsSpan(index, frames);
            var agent = _agent.AsSpan(index, frames);
            for (var i = 0; i < frames; i++)
            {
                _interleaved[2 * i] = MuLaw.Decode(caller[i]);
                _interleaved[2 * i + 1] = MuLaw.Decode(agent[i]);
            }
            _writer.Write(_interleaved.AsSpan(0, frames * 2));
            caller.Fill(MuLaw.Silence);
            agent.Fill(MuLaw.Silence);
            _windowStart += frames;
        }
    }
}
