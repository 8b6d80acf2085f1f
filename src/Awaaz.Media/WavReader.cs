using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Awaaz.Media;

/// <summary>
/// Streaming WAV reader for PCM16 and µ-law (format 7) files, mono or stereo, at any sample rate; also accepts
/// WAVE_FORMAT_EXTENSIBLE with those sub-formats. Walks chunks in order, skipping unknown ones (odd sizes padded),
/// and reads samples in pieces, decoding µ-law to PCM16. A data size of 0xFFFFFFFF (writer still running or
/// crashed) means "to the end of the stream"; a data chunk that ends early is read as far as it goes.
/// Malformed headers raise <see cref="WavFormatException"/>; nothing else is thrown except the stream's own I/O errors.
/// </summary>
public sealed class WavReader : IDisposable
{
    private const int MaxChannels = 2;
    private const uint UnknownSize = uint.MaxValue;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _scratch = new byte[4096];
    private long _remaining; // data bytes not yet read; long.MaxValue when the size is unknown

    private WavReader(Stream stream, bool leaveOpen, WavFormat format, long? dataLength)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Format = format;
        DataLength = dataLength;
        _remaining = dataLength ?? long.MaxValue;
    }

    public WavFormat Format { get; }

    /// <summary>Declared size of the data chunk in bytes, or null when the writer left it open (0xFFFFFFFF).</summary>
    public long? DataLength { get; }

    /// <summary>Reads the header up to the start of the sample data.</summary>
    /// <exception cref="WavFormatException">The header is malformed or describes an unsupported format.</exception>
    public static WavReader Open(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[12];
        if (!ReadExactly(stream, header)) throw new WavFormatException(WavError.Truncated, "The stream ends inside the RIFF header.");
        if (!header[..4].SequenceEqual("RIFF"u8)) throw new WavFormatException(WavError.NotRiff, "The file does not start with RIFF.");
        if (!header[8..12].SequenceEqual("WAVE"u8)) throw new WavFormatException(WavError.NotWave, "The RIFF form type is not WAVE.");

        WavFormat? format = null;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[40];
        while (true)
        {
            if (!ReadExactly(stream, chunk))
                throw format is null
                    ? new WavFormatException(WavError.MissingFormat, "The file ends without a fmt chunk.")
                    : new WavFormatException(WavError.MissingData, "The file ends without a data chunk.");
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            var id = chunk[..4];
            if (id.SequenceEqual("data"u8))
            {
                if (format is null) throw new WavFormatException(WavError.MissingFormat, "The data chunk comes before any fmt chunk.");
                return new WavReader(stream, leaveOpen, format.Value, size == UnknownSize ? null : size);
            }
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16) throw new WavFormatException(WavError.InvalidFormat, $"The fmt chunk is {size} bytes; at least 16 are needed.");
                var take = (int)Math.Min(size, (uint)fmt.Length);
                if (!ReadExactly(stream, fmt[..take])) throw new WavFormatException(WavError.Truncated, "The stream ends inside the fmt chunk.");
                format = ParseFormat(fmt[..take]);
                if (!Skip(stream, size - take + (size & 1))) throw new WavFormatException(WavError.MissingData, "The file ends without a data chunk.");
                continue;
            }
            if (!Skip(stream, size + (size & 1)))
                throw format is null
                    ? new WavFormatException(WavError.MissingFormat, "The file ends without a fmt chunk.")
                    : new WavFormatException(WavError.MissingData, "The file ends without a data chunk.");
        }
    }

    /// <summary>Reads a whole WAV file into memory (interleaved PCM16 samples).</summary>
    /// <exception cref="WavFormatException">The header is malformed or describes an unsupported format.</exception>
    public static WavAudio ReadAll(Stream stream)
    {
        using var reader = Open(stream, leaveOpen: true);
        var samples = new List<short>();
        Span<short> buffer = stackalloc short[2048];
        int n;
        while ((n = reader.Read(buffer)) > 0) samples.AddRange(buffer[..n]);
        return new WavAudio(reader.Format, [.. samples]);
    }

    /// <inheritdoc cref="ReadAll(Stream)"/>
    public static WavAudio ReadAll(byte[] file) => ReadAll(new MemoryStream(file, writable: false));

    /// <summary>
    /// Reads interleaved PCM16 samples (whole frames only) into <paramref name="samples"/>; returns the number of
    /// samples written, 0 at the end of the data. A partial frame at the end of a truncated file is dropped.
    /// </summary>
    public int Read(Span<short> samples)
    {
        var channels = Format.Channels;
        var frames = samples.Length / channels;
        var written = 0;
        while (frames > 0 && _remaining > 0)
        {
            var chunkFrames = Math.Min(frames, _scratch.Length / Format.BlockAlign);
            var wanted = (int)Math.Min((long)chunkFrames * Format.BlockAlign, _remaining / Format.BlockAlign * Format.BlockAlign);
            if (wanted == 0) break;
            var got = _stream.ReadAtLeast(_scratch.AsSpan(0, wanted), wanted, throwOnEndOfStream: false);
            var whole = got / Format.BlockAlign;
            var count = whole * channels;
            var target = samples.Slice(written, count);
            if (Format.Encoding == WavEncoding.MuLaw)
                MuLaw.Decode(_scratch.AsSpan(0, count), target);
            else if (BitConverter.IsLittleEndian)
                MemoryMarshal.Cast<byte, short>(_scratch.AsSpan(0, count * 2)).CopyTo(target);
            else
                for (var i = 0; i < count; i++) target[i] = BinaryPrimitives.ReadInt16LittleEndian(_scratch.AsSpan(i * 2));
            written += count;
            frames -= whole;
            _remaining -= got;
            if (got < wanted) _remaining = 0; // the stream ended early
        }
        return written;
    }

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }

    private static WavFormat ParseFormat(ReadOnlySpan<byte> fmt)
    {
        int tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (tag == 0xFFFE)
        {
            // WAVE_FORMAT_EXTENSIBLE: the real tag is the first two bytes of the sub-format GUID at offset 24.
            if (fmt.Length < 40) throw new WavFormatException(WavError.InvalidFormat, "WAVE_FORMAT_EXTENSIBLE needs a 40-byte fmt chunk.");
            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }
        if (channels == 0) throw new WavFormatException(WavError.InvalidFormat, "The fmt chunk declares 0 channels.");
        if (sampleRate == 0 || sampleRate > int.MaxValue) throw new WavFormatException(WavError.InvalidFormat, $"The sample rate {sampleRate} is not valid.");
        if (channels > MaxChannels) throw new WavFormatException(WavError.UnsupportedFormat, $"{channels} channels; only mono and stereo are supported.");
        var encoding = tag switch
        {
            1 when bits == 16 => WavEncoding.Pcm16,
            7 when bits == 8 => WavEncoding.MuLaw,
            1 or 7 => throw new WavFormatException(WavError.UnsupportedFormat, $"Format {tag} with {bits} bits per sample is not supported."),
            _ => throw new WavFormatException(WavError.UnsupportedFormat, $"Format tag {tag} is not supported (PCM16 and µ-law only)."),
        };
        return new WavFormat(encoding, channels, (int)sampleRate);
    }

    private static bool ReadExactly(Stream stream, Span<byte> buffer) =>
        stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length;

    /// <summary>Skips <paramref name="count"/> bytes; false if the stream ends first.</summary>
    private static bool Skip(Stream stream, long count)
    {
        if (count == 0) return true;
        if (stream.CanSeek)
        {
            if (stream.Length - stream.Position < count) return false;
            stream.Seek(count, SeekOrigin.Current);
            return true;
        }
        Span<byte> discard = stackalloc byte[512];
        while (count > 0)
        {
            var n = stream.Read(discard[..(int)Math.Min(count, discard.Length)]);
            if (n == 0) return false;
            count -= n;
        }
        return true;
    }
}

/// <summary>A decoded WAV file: its format and interleaved PCM16 samples.</summary>
public sealed record WavAudio(WavFormat Format, short[] Samples)
{
    /// <summary>Samples per channel.</summary>
    public int Frames => Samples.Length / Format.Channels;

    public TimeSpan Duration => TimeSpan.FromSeconds((double)Frames / Format.SampleRate);

    /// <summary>Copies one channel (0 = left) out of the interleaved samples.</summary>
    public short[] Channel(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Format.Channels);
        var result = new short[Frames];
        for (var i = 0; i < result.Length; i++) result[i] = Samples[i * Format.Channels + index];
        return result;
    }
}
