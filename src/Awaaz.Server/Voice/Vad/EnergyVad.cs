namespace Awaaz.Server.Voice.Vad;

/// <summary>
/// Fallback detector when Silero is unavailable: the RMS level of each 32 ms window in dBFS, compared with an
/// adaptive noise floor, mapped to a probability by two logistic curves (see docs/voice-vad.md):
/// <code>p = σ((level − floor − SpeechSnrDb) / SlopeDb) · σ((level − MinSpeechDbfs) / SlopeDb)</code>
/// The floor follows quieter windows quickly and rises slowly (<see cref="FloorRiseDbPerSecond"/>), so steady
/// line noise is absorbed within seconds while speech, which pauses, keeps it down. p grows with the level for a
/// given floor; the floor is updated after p is computed.
/// </summary>
public sealed class EnergyVad : IVoiceActivityDetector
{
    public const int Window = 256;

    /// <summary>Level given to digital silence (and the lowest level reported).</summary>
    public const double SilenceDbfs = -100;

    /// <summary>Absolute gate: windows quieter than this are not speech whatever the floor (p ≤ 0.5 at the gate).</summary>
    public const double MinSpeechDbfs = -50;

    /// <summary>Level above the noise floor where p reaches 0.5 (with the gate open).</summary>
    public const double SpeechSnrDb = 12;

    /// <summary>Width of both logistic curves: ±4.4 dB moves p from 0.1 to 0.9.</summary>
    public const double SlopeDb = 2;

    /// <summary>Noise floor of a new stream: a quiet telephone line.</summary>
    public const double InitialFloorDbfs = -65;

    /// <summary>Bounds of the floor: a line is never assumed quieter than −80 dBFS, nor louder than −40 dBFS.</summary>
    public const double MinFloorDbfs = -80, MaxFloorDbfs = -40;

    /// <summary>How fast the floor rises towards louder windows.</summary>
    public const double FloorRiseDbPerSecond = 3;

    /// <summary>Fraction of the gap to a quieter window the floor closes per window (about 5 windows to settle).</summary>
    public const double FloorFallPerWindow = 0.5;

    public string Name => "energy";
    public int WindowSamples => Window;

    public IVadStream CreateStream() => new Stream();

    /// <summary>RMS level of <paramref name="window"/> in dBFS (full-scale square wave = 0), at least <see cref="SilenceDbfs"/>.</summary>
    public static double LevelDbfs(ReadOnlySpan<short> window)
    {
        if (window.IsEmpty) return SilenceDbfs;
        double sum = 0;
        foreach (var s in window) sum += (double)s * s;
        var rms = Math.Sqrt(sum / window.Length) / 32768.0;
        return rms <= 0 ? SilenceDbfs : Math.Max(SilenceDbfs, 20 * Math.Log10(rms));
    }

    /// <summary>The probability for a window at <paramref name="levelDbfs"/> over a floor at <paramref name="floorDbfs"/>.</summary>
    public static double Probability(double levelDbfs, double floorDbfs) =>
        Logistic((levelDbfs - floorDbfs - SpeechSnrDb) / SlopeDb) * Logistic((levelDbfs - MinSpeechDbfs) / SlopeDb);

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    private sealed class Stream : IVadStream
    {
        private const double RisePerWindow = FloorRiseDbPerSecond * Window / 8000.0;
        private double _floor = InitialFloorDbfs;

        public float Process(ReadOnlySpan<short> window)
        {
            if (window.Length != Window)
                throw new ArgumentException($"The energy VAD takes windows of {Window} samples; {window.Length} given.", nameof(window));
            var level = LevelDbfs(window);
            var p = Probability(level, _floor);
            _floor = level < _floor
                ? _floor + (level - _floor) * FloorFallPerWindow
                : Math.Min(level, _floor + RisePerWindow);
            _floor = Math.Clamp(_floor, MinFloorDbfs, MaxFloorDbfs);
            return (float)p;
        }

        public void Reset() => _floor = InitialFloorDbfs;

        public void Dispose() { }
    }
}
