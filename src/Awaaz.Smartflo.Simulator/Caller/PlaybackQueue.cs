using System.Buffers;
using Awaaz.Media;

namespace Awaaz.Smartflo.Simulator.Caller;

/// <summary>Why a mark was echoed (spec §11.5 rules 3–5).</summary>
public enum MarkEchoKind
{
    /// <summary>Rule 3: the playhead passed the last byte queued before it.</summary>
    Played,
    /// <summary>Rule 4: nothing was queued ahead of it when it arrived.</summary>
    Immediate,
    /// <summary>Rule 5: a `clear` discarded the audio ahead of it.</summary>
    Flushed,
}

public readonly record struct MarkEcho(string Name, MarkEchoKind Kind);

/// <summary>What a `clear` did: audio bytes discarded, then the pending marks echoed in queue order.</summary>
public sealed record ClearOutcome(int DiscardedBytes, IReadOnlyList<MarkEcho> Echoes);

/// <summary>
/// Smartflo's far-end playback of bot audio (spec §11.5), as a pure model: one ordered queue of audio segments and
/// mark tokens, played at 8000 bytes/s. Time is given by the caller as a position in samples (bytes) since the stream
/// started; the model never reads a clock, so its behaviour is exact and repeatable. It records what the caller heard:
/// bot audio as played and µ-law silence (0xFF) whenever the queue was empty. Not thread-safe.
/// </summary>
public sealed class PlaybackQueue
{
    private static readonly MarkEcho[] NoEchoes = [];

    private readonly LinkedList<Entry> _queue = new();
    private readonly ArrayBufferWriter<byte>? _heard;
    private long _position;

    public PlaybackQueue(bool recordHeard = true)
    {
        _heard = recordHeard ? new ArrayBufferWriter<byte>(CallerAudio.SampleRate) : null;
    }

    /// <summary>Samples of the heard timeline produced so far (the playhead's clock).</summary>
    public long Position => _position;

    /// <summary>Every bot audio byte ever queued.</summary>
    public long EnqueuedBytes { get; private set; }

    /// <summary>Bot audio bytes the caller heard.</summary>
    public long PlayedBytes { get; private set; }

    /// <summary>Bot audio bytes thrown away by `clear` before being played.</summary>
    public long DiscardedBytes { get; private set; }

    /// <summary>Bot audio bytes still waiting to be played.</summary>
    public long QueuedBytes => EnqueuedBytes - PlayedBytes - DiscardedBytes - DroppedAtStopBytes;

    /// <summary>Audio still queued when the stream stopped (never heard, never echoed).</summary>
    public long DroppedAtStopBytes { get; private set; }

    /// <summary>Marks still pending when the stream stopped: never echoed (rule 6).</summary>
    public int DroppedMarks { get; private set; }

    public bool IsStopped { get; private set; }

    /// <summary>Marks waiting in the queue.</summary>
    public int PendingMarks => _queue.Count(e => e.Mark is not null);

    /// <summary>What the caller heard, µ-law, from the stream start to <see cref="Position"/> (empty when not recorded).</summary>
    public ReadOnlyMemory<byte> HeardAudio => _heard?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>Audio bytes ahead of the first pending mark: how long until it is due. Null when no mark is pending.</summary>
    public long? SamplesUntilNextMark
    {
        get
        {
            long ahead = 0;
            foreach (var entry in _queue)
            {
                if (entry.Mark is not null)
                {
                    return ahead;
                }

                ahead += entry.Remaining;
            }

            return null;
        }
    }

    /// <summary>Plays up to <paramref name="position"/>; returns the marks whose audio has all been played, in order.</summary>
    public IReadOnlyList<MarkEcho> AdvanceTo(long position)
    {
        if (IsStopped || position <= _position)
        {
            return IsStopped ? NoEchoes : Echoes(CollectPlayedMarks(null));
        }

        List<MarkEcho>? echoes = null;
        var toPlay = position - _position;
        while (toPlay > 0)
        {
            echoes = CollectPlayedMarks(echoes);
            if (_queue.First is not { } head)
            {
                HearSilence(toPlay);
                break;
            }

            var entry = head.Value;
            var take = (int)Math.Min(entry.Remaining, toPlay);
            Hear(entry.Audio.AsSpan(entry.Offset, take));
            PlayedBytes += take;
            toPlay -= take;
            entry.Offset += take;
            if (entry.Remaining == 0)
            {
                _queue.RemoveFirst();
            }
        }

        _position = position;
        return Echoes(CollectPlayedMarks(echoes));
    }

    /// <summary>Queues bot audio at <paramref name="position"/> (playing up to it first).</summary>
    public IReadOnlyList<MarkEcho> EnqueueAudio(ReadOnlySpan<byte> mulaw, long position)
    {
        var echoes = AdvanceTo(position);
        if (IsStopped || mulaw.IsEmpty)
        {
            return echoes;
        }

        _queue.AddLast(new Entry { Audio = mulaw.ToArray() });
        EnqueuedBytes += mulaw.Length;
        return echoes;
    }

    /// <summary>Queues a mark; echoed at once (rule 4) when nothing is queued ahead of it.</summary>
    public IReadOnlyList<MarkEcho> EnqueueMark(string name, long position)
    {
        var echoes = AdvanceTo(position);
        if (IsStopped)
        {
            return echoes;
        }

        if (_queue.Count == 0)
        {
            return [.. echoes, new MarkEcho(name, MarkEchoKind.Immediate)];
        }

        _queue.AddLast(new Entry { Mark = name });
        return echoes;
    }

    /// <summary>Rule 5: discards all queued audio (including the unplayed rest of the current segment), then echoes every pending mark in order.</summary>
    public ClearOutcome Clear(long position)
    {
        var played = AdvanceTo(position);
        if (IsStopped)
        {
            return new ClearOutcome(0, played);
        }

        var discarded = 0;
        var echoes = new List<MarkEcho>(played);
        foreach (var entry in _queue)
        {
            if (entry.Mark is not null)
            {
                echoes.Add(new MarkEcho(entry.Mark, MarkEchoKind.Flushed));
            }
            else
            {
                discarded += entry.Remaining;
            }
        }

        _queue.Clear();
        DiscardedBytes += discarded;
        return new ClearOutcome(discarded, echoes);
    }

    /// <summary>The stream stops at <paramref name="position"/>: marks due by then are returned; the rest are never echoed (rule 6).</summary>
    public IReadOnlyList<MarkEcho> Stop(long position)
    {
        var echoes = AdvanceTo(position);
        if (IsStopped)
        {
            return echoes;
        }

        foreach (var entry in _queue)
        {
            if (entry.Mark is not null)
            {
                DroppedMarks++;
            }
            else
            {
                DroppedAtStopBytes += entry.Remaining;
            }
        }

        _queue.Clear();
        IsStopped = true;
        return echoes;
    }

    /// <summary>Marks at the head of the queue have no audio left ahead of them: they are due.</summary>
    private List<MarkEcho>? CollectPlayedMarks(List<MarkEcho>? echoes)
    {
        while (_queue.First is { Value.Mark: { } name })
        {
            (echoes ??= []).Add(new MarkEcho(name, MarkEchoKind.Played));
            _queue.RemoveFirst();
        }

        return echoes;
    }

    private static IReadOnlyList<MarkEcho> Echoes(List<MarkEcho>? echoes) => echoes ?? (IReadOnlyList<MarkEcho>)NoEchoes;

    private void Hear(ReadOnlySpan<byte> audio)
    {
        if (_heard is not null)
        {
            audio.CopyTo(_heard.GetSpan(audio.Length));
            _heard.Advance(audio.Length);
        }
    }

    private void HearSilence(long silentSamples)
    {
        if (_heard is null)
        {
            return;
        }

        var span = _heard.GetSpan((int)silentSamples)[..(int)silentSamples];
        span.Fill(MuLaw.Silence);
        _heard.Advance((int)silentSamples);
    }

    private sealed class Entry
    {
        public byte[] Audio { get; init; } = [];
        public string? Mark { get; init; }
        public int Offset { get; set; }
        public int Remaining => Audio.Length - Offset;
    }
}
