namespace Awaaz.Media;

/// <summary>Sample encodings the WAV reader understands (values are the WAVE format tags).</summary>
public enum WavEncoding
{
    /// <summary>16-bit signed little-endian linear PCM (format tag 1).</summary>
    Pcm16 = 1,

    /// <summary>8-bit G.711 µ-law (format tag 7).</summary>
    MuLaw = 7,
}

/// <summary>Encoding, channel count and sample rate of a WAV file.</summary>
public readonly record struct WavFormat(WavEncoding Encoding, int Channels, int SampleRate)
{
    /// <summary>Bytes per sample of one channel in the file.</summary>
    public int BytesPerSample => Encoding == WavEncoding.Pcm16 ? 2 : 1;

    /// <summary>Bytes per frame (one sample of every channel).</summary>
    public int BlockAlign => BytesPerSample * Channels;
}

/// <summary>Why a WAV file was rejected.</summary>
public enum WavError
{
    /// <summary>The stream ended inside the RIFF header or a chunk header before the data chunk.</summary>
    Truncated,

    /// <summary>The file does not start with <c>RIFF</c> (RIFX, RF64 and other containers are not supported).</summary>
    NotRiff,

    /// <summary>The RIFF form type is not <c>WAVE</c>.</summary>
    NotWave,

    /// <summary>No <c>fmt </c> chunk precedes the <c>data</c> chunk.</summary>
    MissingFormat,

    /// <summary>The file has no <c>data</c> chunk.</summary>
    MissingData,

    /// <summary>The <c>fmt </c> chunk is malformed (too short, zero channels or sample rate, inconsistent bit depth).</summary>
    InvalidFormat,

    /// <summary>A valid format this reader does not decode (e.g. float, 24-bit, A-law, more than two channels).</summary>
    UnsupportedFormat,
}

/// <summary>A WAV file could not be read; <see cref="Error"/> says why.</summary>
public sealed class WavFormatException(WavError error, string message) : FormatException(message)
{
    public WavError Error { get; } = error;
}
