namespace Awaaz.Server.Voice.Offline;

/// <summary>
/// Adds faint, deterministic high-passed noise (first difference of uniform white noise, RMS ≈ 35, about −60 dBFS)
/// to telephone audio upsampled to 16 kHz. The en-us acoustic model's filter bank reaches 6.8 kHz; after a clean
/// 8 → 16 kHz resample the bands above 4 kHz are all but empty, their log energies collapse to the floor and the
/// decoder misses even grammar phrases. With this floor under them it recognizes 8 kHz speech as well as wideband.
/// The fixed seed keeps recognition reproducible.
/// </summary>
internal struct HighBandNoise
{
    private const float Amplitude = 43; // uniform ±43 per sample → the difference has RMS ≈ 35
    private uint _state;
    private float _previous;

    public HighBandNoise() => Reset();

    public void Reset()
    {
        _state = 0x9E3779B9;
        _previous = 0;
    }

    public void AddTo(Span<short> samples)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            // xorshift32 → uniform in [-1, 1)
            _state ^= _state << 13;
            _state ^= _state >> 17;
            _state ^= _state << 5;
            var white = (int)_state / 2147483648f * Amplitude;
            var value = samples[i] + white - _previous;
            _previous = white;
            samples[i] = (short)Math.Clamp(MathF.Round(value), short.MinValue, short.MaxValue);
        }
    }
}
