using Awaaz.Media;

namespace Awaaz.Smartflo.Simulator.Caller;

/// <summary>
/// A caller who talks with the bot instead of reading a script: says an utterance, listens to the reply, and says the
/// next one after the bot has been quiet for <see cref="ReplyPause"/>. Every <see cref="BargeInEvery"/>-th turn the
/// caller starts speaking once <see cref="BargeInAfter"/> of the bot's reply has played (barge-in).
/// </summary>
public sealed record ConversationOptions
{
    /// <summary>What the caller says, in turn (looped). Speech on silence, e.g. espeak-ng sentences at 8 kHz.</summary>
    public required IReadOnlyList<CallerAudio> Utterances { get; init; }

    /// <summary>Every n-th caller turn interrupts the bot's reply; 0 never does.</summary>
    public int BargeInEvery { get; init; } = 3;

    /// <summary>How much of the bot's reply the caller hears before interrupting it.</summary>
    public TimeSpan BargeInAfter { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>The bot's reply is over when it has been quiet this long; the caller then speaks.</summary>
    public TimeSpan ReplyPause { get; init; } = TimeSpan.FromMilliseconds(900);

    /// <summary>With no reply this long after the caller finished (or from the start), the caller speaks again.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>A 10 ms block at or above this RMS (PCM16) is speech: where an utterance's onset and end are.</summary>
    public double SpeechRms { get; init; } = 300;
}

/// <summary>What the caller did in one frame.</summary>
/// <param name="SpeechBytes">Bytes of utterance audio at the start of the payload (the rest is silence).</param>
/// <param name="OnsetMs">Stream time of the utterance's speech onset, when it falls in this frame.</param>
/// <param name="SpeechEndMs">Stream time the utterance's speech ended, when the utterance ended in this frame.</param>
/// <param name="BargeIn">The utterance that starts here interrupts the bot.</param>
public readonly record struct ConversationFrame(int SpeechBytes, double? OnsetMs, double? SpeechEndMs, bool BargeIn);

/// <summary>
/// The turn-taking of a <see cref="ConversationOptions"/> caller, frame by frame, on the stream's timeline (ms since
/// `start`). Pure logic: the caller tells it whether bot audio was audible when each frame was captured.
/// </summary>
public sealed class CallerConversation
{
    private const int BlockSamples = 80; // 10 ms

    private readonly ConversationOptions _options;
    private readonly (int Onset, int End)[] _speech;
    private bool _speaking;
    private int _utterance = -1;
    private int _position;
    private bool _bargeIn;
    private int _turns;
    private double _listeningSince;
    private double? _botHeardSince;
    private double _botLastAudible;

    public CallerConversation(ConversationOptions options)
    {
        if (options.Utterances.Count == 0) throw new ArgumentException("A conversation needs at least one utterance.", nameof(options));
        if (options.BargeInEvery < 0) throw new ArgumentOutOfRangeException(nameof(options), "BargeInEvery must be ≥ 0.");
        _options = options;
        _speech = [.. options.Utterances.Select(u => SpeechSpan(u.MuLawBytes.Span, options.SpeechRms))];
    }

    /// <summary>Caller turns started so far.</summary>
    public int Turns => _turns;

    /// <summary>First and last speech sample (+1) of µ-law audio: 10 ms blocks at or above <paramref name="speechRms"/>.</summary>
    public static (int Onset, int End) SpeechSpan(ReadOnlySpan<byte> mulaw, double speechRms)
    {
        int onset = -1, end = 0;
        Span<short> pcm = stackalloc short[BlockSamples];
        for (var start = 0; start < mulaw.Length; start += BlockSamples)
        {
            var block = mulaw.Slice(start, Math.Min(BlockSamples, mulaw.Length - start));
            MuLaw.Decode(block, pcm[..block.Length]);
            double sum = 0;
            foreach (var s in pcm[..block.Length]) sum += s * (double)s;
            if (Math.Sqrt(sum / block.Length) < speechRms) continue;
            if (onset < 0) onset = start;
            end = start + block.Length;
        }
        return onset < 0 ? (0, 0) : (onset, end);
    }

    /// <summary>
    /// The caller's audio for the frame covering [<paramref name="frameStartMs"/>, + payload length / 8): writes
    /// utterance bytes at the start of <paramref name="payload"/> and says how many. <paramref name="botAudible"/>: bot
    /// audio was playing at the end of the frame.
    /// </summary>
    public ConversationFrame Next(double frameStartMs, bool botAudible, Span<byte> payload)
    {
        var frameEndMs = frameStartMs + payload.Length / 8.0;
        double? onset = null, speechEnd = null;
        var startsBargeIn = false;
        if (!_speaking)
        {
            if (botAudible)
            {
                _botHeardSince ??= frameEndMs;
                _botLastAudible = frameEndMs;
            }
            var bargeInTurn = _options.BargeInEvery > 0 && (_turns + 1) % _options.BargeInEvery == 0;
            var replyOver = _botHeardSince is not null && !botAudible && frameEndMs - _botLastAudible >= _options.ReplyPause.TotalMilliseconds;
            var interrupt = bargeInTurn && botAudible && frameEndMs - _botHeardSince >= _options.BargeInAfter.TotalMilliseconds;
            var noReply = _botHeardSince is null && frameEndMs - _listeningSince >= _options.ReplyTimeout.TotalMilliseconds;
            if (!(replyOver || interrupt || noReply)) return new ConversationFrame(0, null, null, false);
            _speaking = true;
            _bargeIn = startsBargeIn = interrupt;
            _utterance = (_utterance + 1) % _options.Utterances.Count;
            _position = 0;
            _turns++;
        }

        var audio = _options.Utterances[_utterance].MuLawBytes.Span;
        var (speechOnset, speechEndAt) = _speech[_utterance];
        var take = Math.Min(payload.Length, audio.Length - _position);
        audio.Slice(_position, take).CopyTo(payload);
        if (speechOnset >= _position && speechOnset < _position + take && speechEndAt > speechOnset)
            onset = frameStartMs + (speechOnset - _position) / 8.0;
        if (speechEndAt > _position && speechEndAt <= _position + take)
            speechEnd = frameStartMs + (speechEndAt - _position) / 8.0;
        _position += take;
        if (_position >= audio.Length)
        {
            _speaking = false;
            _listeningSince = frameStartMs + take / 8.0;
            _botHeardSince = null;
        }
        return new ConversationFrame(take, onset, speechEnd, startsBargeIn);
    }

    /// <summary>Whether the utterance being spoken interrupts the bot.</summary>
    public bool SpeakingOverBot => _speaking && _bargeIn;
}
