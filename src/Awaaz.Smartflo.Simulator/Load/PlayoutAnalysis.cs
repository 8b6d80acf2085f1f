using Awaaz.Smartflo.Simulator.Caller;

namespace Awaaz.Smartflo.Simulator.Load;

/// <summary>One bot media frame judged against its utterance's real-time playout.</summary>
/// <param name="Utterance">0-based utterance index within the call.</param>
/// <param name="ArrivalMs">When the frame arrived.</param>
/// <param name="Bytes">Payload bytes (8 per ms).</param>
/// <param name="DeadlineMs">The utterance's first arrival plus the audio duration sent before this frame in the utterance.</param>
/// <param name="LatenessMs">Arrival minus deadline: ≤ 0 when the bot keeps ahead of real time.</param>
/// <param name="Underrun">The audio before it (in this utterance) had finished playing when it arrived.</param>
/// <param name="StallMs">How long the caller heard silence before it (0 unless <paramref name="Underrun"/>).</param>
public sealed record FramePlayout(int Utterance, double ArrivalMs, int Bytes, double DeadlineMs, double LatenessMs, bool Underrun, double StallMs);

public sealed record PlayoutReport(IReadOnlyList<FramePlayout> Frames, int Utterances)
{
    public int Underruns => Frames.Count(f => f.Underrun);
}

/// <summary>
/// Playout lateness and underruns of the bot's audio, from the order and times frames arrived (spec §11.4 pacing).
/// <para>
/// An <b>utterance</b> is a maximal run of bot media frames that contains no `mark` or `clear` and no silence gap:
/// it starts with the first media frame of the stream, the first one after a `mark` or `clear`, or a frame that
/// arrives more than <c>utteranceGap</c> after the audio before it finished playing.
/// </para>
/// <para>
/// Within an utterance whose first frame arrived at t₀, frame i (with B bytes sent before it in the utterance) has the
/// real-time <b>deadline</b> t₀ + B/8 ms and the <b>lateness</b> arrival − deadline. It is an <b>underrun</b> when it
/// arrives after the audio before it would have finished playing, that playback starting at each frame's arrival or
/// when the previous audio ends, whichever is later (what <see cref="PlaybackQueue"/> plays); the silence heard is its stall.
/// </para>
/// </summary>
public static class PlayoutAnalysis
{
    public static PlayoutReport Analyse(IReadOnlyList<BotAudioEvent> timeline, TimeSpan utteranceGap)
    {
        var frames = new List<FramePlayout>();
        var utterance = -1;
        var inUtterance = false;
        double firstArrival = 0, playedUntil = 0;
        long bytesBefore = 0;
        foreach (var e in timeline)
        {
            if (e.Kind != BotAudioEventKind.Media)
            {
                inUtterance = false;
                continue;
            }

            if (!inUtterance || e.AtMs - playedUntil > utteranceGap.TotalMilliseconds)
            {
                utterance++;
                inUtterance = true;
                firstArrival = e.AtMs;
                playedUntil = e.AtMs;
                bytesBefore = 0;
            }

            var deadline = firstArrival + bytesBefore / 8.0;
            var underrun = bytesBefore > 0 && e.AtMs > playedUntil;
            frames.Add(new FramePlayout(utterance, e.AtMs, e.Bytes, deadline, e.AtMs - deadline, underrun, underrun ? e.AtMs - playedUntil : 0));
            playedUntil = Math.Max(playedUntil, e.AtMs) + e.Bytes / 8.0;
            bytesBefore += e.Bytes;
        }

        return new PlayoutReport(frames, utterance + 1);
    }
}
