namespace Awaaz.Media;

/// <summary>
/// One item taken from an <see cref="OutboundFramer"/>: <see cref="Length"/> µ-law bytes to send as one Smartflo
/// <c>media</c> message (always a positive multiple of 160), and whether this ends an utterance (send its mark next).
/// <see cref="Length"/> is 0 only for the end of an utterance whose audio had already been emitted, or that had none:
/// then there is nothing to send but the mark.
/// </summary>
public readonly record struct OutboundFrame(int Length, bool EndsUtterance)
{
    public bool HasAudio => Length > 0;
}

/// <summary>
/// Cuts agent µ-law audio into Smartflo media frames following spec §11.4: per utterance, emit exactly
/// <see cref="FrameBytes"/> whenever that much is buffered; emit the largest multiple of 160 when at least 160 bytes
/// are buffered and no audio arrived for <see cref="IdleFlushAfter"/>; at the end of the utterance emit the rest
/// padded with µ-law silence (0xFF) to a multiple of 160. Frames never span two utterances, so a mark sent after
/// the frame flagged <see cref="OutboundFrame.EndsUtterance"/> sits exactly at the utterance's end.
/// Time comes from the <see cref="TimeProvider"/>; nothing sleeps or schedules timers. Not thread-safe: one
/// instance per call, used by the call's media loop.
/// </summary>
public sealed class OutboundFramer
{
    /// <summary>Smallest unit Smartflo plays without gaps: 20 ms of 8 kHz µ-law.</summary>
    public const int UnitBytes = 160;

    public const int DefaultFrameBytes = 800;
    public const int MinFrameBytes = 160;
    public const int MaxFrameBytes = 3200;

    /// <summary>Idle time after which a partial frame (≥ 160 bytes) is emitted.</summary>
    public static readonly TimeSpan IdleFlushAfter = TimeSpan.FromMilliseconds(40);

    private readonly TimeProvider _time;
    private readonly Queue<long> _utteranceEnds = new(4); // absolute end positions of completed utterances
    private byte[] _buffer;
    private int _head;          // index of the oldest buffered byte
    private int _count;         // buffered bytes
    private long _taken;        // absolute position of the oldest buffered byte
    private long _openStart;    // absolute position where the utterance being appended started
    private long _lastAppend;   // timestamp of the last non-empty append

    /// <param name="time">Clock for the idle rule.</param>
    /// <param name="frameBytes">Full frame size (<c>outbound_frame_bytes</c>): a multiple of 160 in 160–3200.</param>
    public OutboundFramer(TimeProvider time, int frameBytes = DefaultFrameBytes)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (frameBytes is < MinFrameBytes or > MaxFrameBytes || frameBytes % UnitBytes != 0)
            throw new ArgumentOutOfRangeException(nameof(frameBytes), frameBytes, "Frame size must be a multiple of 160 between 160 and 3200 bytes.");
        _time = time;
        FrameBytes = frameBytes;
        _buffer = new byte[Math.Max(8000, frameBytes * 2)];
    }

    public int FrameBytes { get; }

    /// <summary>Bytes waiting to be emitted, including padding already added to completed utterances.</summary>
    public int BufferedBytes => _count;

    /// <summary>Adds agent audio (8 kHz µ-law) to the current utterance.</summary>
    public void Append(ReadOnlySpan<byte> mulaw)
    {
        if (mulaw.IsEmpty) return;
        EnsureCapacity(_count + mulaw.Length);
        var tail = (_head + _count) % _buffer.Length;
        var first = Math.Min(mulaw.Length, _buffer.Length - tail);
        mulaw[..first].CopyTo(_buffer.AsSpan(tail));
        mulaw[first..].CopyTo(_buffer);
        _count += mulaw.Length;
        _lastAppend = _time.GetTimestamp();
    }

    /// <summary>
    /// Ends the current utterance: its rest is padded with 0xFF to a multiple of 160 and emitted without waiting,
    /// and its last item is flagged <see cref="OutboundFrame.EndsUtterance"/>. Later audio starts a new utterance.
    /// </summary>
    public void CompleteUtterance()
    {
        // Frames of this utterance emitted so far were whole units, so its length decides the padding.
        var length = _taken + _count - _openStart;
        var padding = (int)((UnitBytes - length % UnitBytes) % UnitBytes);
        if (padding > 0)
        {
            Span<byte> silence = stackalloc byte[UnitBytes];
            silence.Fill(MuLaw.Silence);
            var lastAppend = _lastAppend;
            Append(silence[..padding]);
            _lastAppend = lastAppend; // padding is not new audio
        }
        _openStart = _taken + _count;
        _utteranceEnds.Enqueue(_openStart);
    }

    /// <summary>
    /// Takes the next item if one is due now: a frame to send (copied into <paramref name="destination"/>, which must
    /// hold <see cref="FrameBytes"/>) and/or the end of an utterance.
    /// </summary>
    public bool TryTakeFrame(Span<byte> destination, out OutboundFrame frame)
    {
        if (destination.Length < FrameBytes)
            throw new ArgumentException($"Destination holds {destination.Length} bytes; a frame can be {FrameBytes}.", nameof(destination));
        int length;
        var endsUtterance = false;
        if (_utteranceEnds.TryPeek(out var end))
        {
            // A completed utterance is at the head: emit its rest now, never mixing in the next one.
            var remaining = end - _taken;
            length = (int)Math.Min(FrameBytes, remaining);
            endsUtterance = length == remaining;
            if (endsUtterance) _utteranceEnds.Dequeue();
        }
        else if (_count >= FrameBytes)
        {
            length = FrameBytes;
        }
        else if (_count >= UnitBytes && _time.GetElapsedTime(_lastAppend) >= IdleFlushAfter)
        {
            length = _count - _count % UnitBytes;
        }
        else
        {
            frame = default;
            return false;
        }
        Take(destination[..length]);
        frame = new OutboundFrame(length, endsUtterance);
        return true;
    }

    /// <summary>
    /// When the next item becomes due without further input: <see cref="TimeSpan.Zero"/> if one is due now,
    /// the remaining idle time if the idle rule will release a partial frame, or null if nothing will.
    /// </summary>
    public TimeSpan? TimeUntilNextFrame()
    {
        if (_utteranceEnds.Count > 0 || _count >= FrameBytes) return TimeSpan.Zero;
        if (_count < UnitBytes) return null;
        var wait = IdleFlushAfter - _time.GetElapsedTime(_lastAppend);
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>Drops everything buffered, completed or not (barge-in); returns the number of bytes dropped.</summary>
    public int Clear()
    {
        var dropped = _count;
        _taken += _count;
        _head = 0;
        _count = 0;
        _openStart = _taken;
        _utteranceEnds.Clear();
        return dropped;
    }

    private void Take(Span<byte> destination)
    {
        var first = Math.Min(destination.Length, _buffer.Length - _head);
        _buffer.AsSpan(_head, first).CopyTo(destination);
        _buffer.AsSpan(0, destination.Length - first).CopyTo(destination[first..]);
        _head = (_head + destination.Length) % _buffer.Length;
        _count -= destination.Length;
        _taken += destination.Length;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length) return;
        var grown = new byte[Math.Max(needed, _buffer.Length * 2)];
        var first = Math.Min(_count, _buffer.Length - _head);
        _buffer.AsSpan(_head, first).CopyTo(grown);
        _buffer.AsSpan(0, _count - first).CopyTo(grown.AsSpan(first));
        _buffer = grown;
        _head = 0;
    }
}
