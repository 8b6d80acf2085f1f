using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Awaaz.Media;

/// <summary>
/// Streaming PCM16 WAV writer. The 44-byte header is written first with both sizes set to 0xFFFFFFFF ("unknown",
/// which <see cref="WavReader"/> reads to the end of the stream, so a file cut short by a crash stays readable);
/// <see cref="Complete"/> patches the real sizes when the stream can seek. Not thread-safe.
/// </summary>
public sealed class WavWriter : IDisposable
{
    private const int HeaderBytes = 44;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _headerPosition;
    private readonly byte[]? _bigEndianScratch;
    private bool _completed;
    private bool _disposed;

    /// <param name="stream">Destination, positioned where the file starts.</param>
    /// <param name="sampleRate">Samples per second per channel.</param>
    /// <param name="channels">1 (mono) or 2 (stereo, interleaved left, right).</param>
    /// <param name="leaveOpen">Keep <paramref name="stream"/> open on dispose.</param>
    public WavWriter(Stream stream, int sampleRate, int channels, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        if (channels is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Only mono and stereo are supported.");
        _stream = stream;
        _leaveOpen = leaveOpen;
        Format = new WavFormat(WavEncoding.Pcm16, channels, sampleRate);
        _headerPosition = stream.CanSeek ? stream.Position : 0;
        if (!BitConverter.IsLittleEndian) _bigEndianScratch = new byte[4096];

        Span<byte> header = stackalloc byte[HeaderBytes];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], uint.MaxValue);
        "WAVEfmt "u8.CopyTo(header[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], (ushort)WavEncoding.Pcm16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)(sampleRate * Format.BlockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)Format.BlockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], uint.MaxValue);
        stream.Write(header);
    }

    public WavFormat Format { get; }

    /// <summary>Bytes of sample data written so far.</summary>
    public long DataBytes { get; private set; }

    /// <summary>Frames (samples per channel) written so far.</summary>
    public long Frames => DataBytes / Format.BlockAlign;

    /// <summary>Appends interleaved samples; the count must be a whole number of frames.</summary>
    public void Write(ReadOnlySpan<short> samples)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (samples.Length % Format.Channels != 0)
            throw new ArgumentException($"{samples.Length} samples is not a whole number of {Format.Channels}-channel frames.", nameof(samples));
        if (_bigEndianScratch is null)
        {
            _stream.Write(MemoryMarshal.AsBytes(samples));
        }
        else
        {
            for (var offset = 0; offset < samples.Length; offset += _bigEndianScratch.Length / 2)
            {
                var piece = samples.Slice(offset, Math.Min(_bigEndianScratch.Length / 2, samples.Length - offset));
                for (var i = 0; i < piece.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(_bigEndianScratch.AsSpan(i * 2), piece[i]);
                _stream.Write(_bigEndianScratch, 0, piece.Length * 2);
            }
        }
        DataBytes += samples.Length * 2L;
    }

    /// <summary>
    /// Writes the final sizes into the header (when the stream can seek and the data fits in 4 GiB) and flushes.
    /// Safe to call more than once; later writes are refused.
    /// </summary>
    public void Complete()
    {
        if (_completed) return;
        _completed = true;
        if (_stream.CanSeek && DataBytes <= uint.MaxValue - HeaderBytes)
        {
            var end = _stream.Position;
            Span<byte> size = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)(DataBytes + HeaderBytes - 8));
            _stream.Position = _headerPosition + 4;
            _stream.Write(size);
            BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)DataBytes);
            _stream.Position = _headerPosition + 40;
            _stream.Write(size);
            _stream.Position = end;
        }
        _stream.Flush();
    }

    /// <summary>Completes the file and closes the stream unless told to leave it open.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            Complete();
        }
        finally
        {
            if (!_leaveOpen) _stream.Dispose();
        }
    }
}
