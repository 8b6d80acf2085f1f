namespace Awaaz.Server.Voice;

public enum AnswerVerdict { Undecided, Human, Machine }

/// <summary>
/// Decides from the first seconds of an answered outbound call whether a person or an answering machine picked up
/// (partner-api.md §9.11). Signalling looks the same for both, so only the audio tells: a beep, a long uninterrupted
/// greeting, or the words of one. People answer with a short "hello?" and wait. The detector only listens: the agent
/// greets as usual meanwhile, because detection that delays the greeting costs more than it saves.
/// Fed one VAD window at a time (audio time, so it is deterministic); keeps listening for the beep after a machine
/// verdict, which tells the agent when to leave its message.
/// </summary>
public sealed class VoicemailDetector
{
    /// <summary>Uninterrupted speech this long in the first utterance is a recorded greeting.</summary>
    public const int MachineGreetingMs = 3500;
    /// <summary>A pause this long ends the first utterance.</summary>
    public const int UtterancePauseMs = 900;
    /// <summary>With no machine evidence by then, a person answered (or nobody spoke).</summary>
    public const int DecisionWindowMs = 8000;
    /// <summary>A steady pure tone at least this long is a beep.</summary>
    public const int BeepMinMs = 250;

    private static readonly string[] MachinePhrases =
    [
        "leave a message", "leave your message", "leave me a message", "after the tone", "after the beep", "at the tone",
        "not available", "unavailable", "voicemail", "voice mail", "mailbox", "record your message", "is busy", "cannot take your call",
        "can't take your call", "please call later", "switched off", "not reachable", "out of coverage",
        "संदेश", "सन्देश", "उपलब्ध नहीं", "व्यस्त", "बंद है", "पहुंच से बाहर", "uplabdh nahi", "vyast", "sandesh",
    ];

    private readonly ToneDetector _tone = new();
    private int _heardMs;
    private int _utteranceSpeechMs;
    private int _pauseMs;
    private bool _utteranceStarted;
    private bool _firstUtteranceOver;
    private int _beepMs;
    private bool _inBeep;

    public AnswerVerdict Verdict { get; private set; } = AnswerVerdict.Undecided;

    /// <summary>Why the verdict is what it is, for logs: <c>beep</c>, <c>long_greeting</c>, <c>greeting_words</c>, <c>short_hello</c>, <c>dtmf</c>.</summary>
    public string? Evidence { get; private set; }

    /// <summary>True once a beep has been heard and has ended: a machine is recording now.</summary>
    public bool BeepEnded { get; private set; }

    /// <summary>No further evidence can change the verdict (a machine, or the decision window is over).</summary>
    public bool IsFinal => Verdict == AnswerVerdict.Machine || _heardMs >= DecisionWindowMs || Evidence == "dtmf";

    /// <summary>One window of caller audio (8 kHz PCM16) and whether the VAD called it speech.</summary>
    public AnswerVerdict OnWindow(ReadOnlySpan<short> window, bool speech)
    {
        var windowMs = window.Length * 1000 / 8000;
        _heardMs += windowMs;
        TrackBeep(window, windowMs);
        if (Verdict == AnswerVerdict.Machine || Evidence == "dtmf" || _heardMs - windowMs >= DecisionWindowMs) return Verdict;

        if (speech && !_inBeep)
        {
            _utteranceStarted = true;
            _pauseMs = 0;
            if (!_firstUtteranceOver) _utteranceSpeechMs += windowMs;
            if (_utteranceSpeechMs >= MachineGreetingMs) Decide(AnswerVerdict.Machine, "long_greeting");
        }
        else if (_utteranceStarted && !_firstUtteranceOver && (_pauseMs += windowMs) >= UtterancePauseMs)
        {
            _firstUtteranceOver = true;
            if (Verdict == AnswerVerdict.Undecided) Decide(AnswerVerdict.Human, "short_hello");
        }
        if (_heardMs >= DecisionWindowMs && Verdict == AnswerVerdict.Undecided && _utteranceStarted) Decide(AnswerVerdict.Human, "short_hello");
        return Verdict;
    }

    /// <summary>A final transcript heard during the decision window: a machine's greeting has tell-tale words.</summary>
    public AnswerVerdict OnTranscript(string text)
    {
        if (Verdict == AnswerVerdict.Machine || _heardMs >= DecisionWindowMs || Evidence == "dtmf") return Verdict;
        var lower = text.ToLowerInvariant();
        if (MachinePhrases.Any(p => lower.Contains(p, StringComparison.Ordinal))) Decide(AnswerVerdict.Machine, "greeting_words");
        return Verdict;
    }

    /// <summary>A keypress: only people press keys.</summary>
    public AnswerVerdict OnDtmf()
    {
        if (Verdict != AnswerVerdict.Machine) Decide(AnswerVerdict.Human, "dtmf");
        return Verdict;
    }

    private void Decide(AnswerVerdict verdict, string evidence) => (Verdict, Evidence) = (verdict, evidence);

    private void TrackBeep(ReadOnlySpan<short> window, int windowMs)
    {
        if (_tone.IsSteadyTone(window))
        {
            _beepMs += windowMs;
            if (_beepMs >= BeepMinMs)
            {
                _inBeep = true;
                Decide(AnswerVerdict.Machine, "beep");
            }
            return;
        }
        if (_inBeep) BeepEnded = true;
        _inBeep = false;
        _beepMs = 0;
    }

    /// <summary>
    /// A pure tone between 350 and 2 000 Hz: nearly all of a window's energy (Hann-windowed) in the few DFT bins
    /// around one peak that stays put from window to window. Voices spread energy over harmonics; noise everywhere.
    /// </summary>
    private sealed class ToneDetector
    {
        private const int FirstBin = 11, LastBin = 64; // × 31.25 Hz for 256-sample windows
        private const double MinRms = 300;
        private const double MinPeakShare = 0.8;
        private double[] _hann = [];
        private double[] _windowed = [];
        private int _lastPeak = -10;

        public bool IsSteadyTone(ReadOnlySpan<short> window)
        {
            var n = window.Length;
            if (_hann.Length != n)
            {
                _hann = new double[n];
                _windowed = new double[n];
                for (var i = 0; i < n; i++) _hann[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (n - 1));
            }
            double raw = 0, energy = 0;
            for (var i = 0; i < n; i++)
            {
                raw += window[i] * (double)window[i];
                _windowed[i] = window[i] * _hann[i];
                energy += _windowed[i] * _windowed[i];
            }
            if (Math.Sqrt(raw / n) < MinRms || energy <= 0) { _lastPeak = -10; return false; }

            var scale = 256.0 / n; // bins are defined for 256-sample windows; other sizes map proportionally
            Span<double> power = stackalloc double[LastBin + 3];
            var peak = FirstBin;
            for (var bin = FirstBin - 2; bin <= LastBin + 2; bin++)
            {
                power[bin - (FirstBin - 2)] = Goertzel(_windowed, bin / scale);
                if (bin >= FirstBin && bin <= LastBin && power[bin - (FirstBin - 2)] > power[peak - (FirstBin - 2)]) peak = bin;
            }
            double around = 0;
            for (var bin = peak - 2; bin <= peak + 2; bin++) around += power[bin - (FirstBin - 2)];
            var share = 2 * around / (n * energy); // Parseval: Σ|X_k|² over all N bins = N·Σx²; a real tone sits in k and N−k
            var steady = Math.Abs(peak - _lastPeak) <= 1;
            _lastPeak = peak;
            return share >= MinPeakShare && steady;
        }

        private static double Goertzel(double[] x, double bin)
        {
            var w = 2 * Math.PI * bin / x.Length;
            var coeff = 2 * Math.Cos(w);
            double s1 = 0, s2 = 0;
            foreach (var sample in x)
            {
                var s0 = sample + coeff * s1 - s2;
                s2 = s1;
                s1 = s0;
            }
            return s1 * s1 + s2 * s2 - coeff * s1 * s2;
        }
    }
}
