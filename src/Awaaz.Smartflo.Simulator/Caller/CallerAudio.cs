using System.Buffers.Binary;
using Awaaz.Media;

namespace Awaaz.Smartflo.Simulator.Caller;

/// <summary>
/// What the simulated caller says: 8 kHz µ-law bytes, streamed once from the start of the call, then silence.
/// Reads only what the simulator needs: WAV (PCM 16-bit or G.711 µ-law, 8000 Hz, mono) and raw µ-law files.
/// </summary>
public sealed class CallerAudio
{
    public const int SampleRate = 8000;

    private CallerAudio(byte[] mulaw, string description)
    {
        MuLawBytes = mulaw;
        Description = description;
    }

    /// <summary>The audio as µ-law bytes (one byte per sample).</summary>
    public ReadOnlyMemory<byte> MuLawBytes { get; }

    /// <summary>Where the audio came from, for summaries.</summary>
    public string Description { get; }

    public TimeSpan Duration => TimeSpan.FromSeconds(MuLawBytes.Length / (double)SampleRate);

    /// <summary>No speech: the caller sends µ-law silence for the whole call.</summary>
    public static CallerAudio Silence { get; } = new([], "silence");

    public static CallerAudio FromMuLaw(byte[] mulaw, string description = "µ-law bytes") => new(mulaw, description);

    /// <summary>Linear PCM 16-bit samples at 8 kHz, encoded to µ-law.</summary>
    public static CallerAudio FromPcm16(ReadOnlySpan<short> samples, string description = "PCM16 samples")
    {
        var mulaw = new byte[samples.Length];
        MuLaw.Encode(samples, mulaw);
        return new CallerAudio(mulaw, description);
    }

    /// <summary>A `.wav` file (PCM16 or µ-law, 8 kHz mono); any other extension is read as raw µ-law.</summary>
    public static CallerAudio FromFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var name = Path.GetFileName(path);
        return bytes.Length >= 12 && bytes.AsSpan(0, 4).SequenceEqual("RIFF"u8) && bytes.AsSpan(8, 4).SequenceEqual("WAVE"u8)
            ? new CallerAudio(MuLawWav.ReadAsMuLaw(bytes), name)
            : new CallerAudio(bytes, name + " (raw µ-law)");
    }
}

/// <summary>WAV files for the simulator: reads 8 kHz mono PCM16 or µ-law as µ-law bytes, writes µ-law WAV.</summary>
public static class MuLawWav
{
    private const short FormatPcm = 1;
    private const short FormatMuLaw = 7;
    private const short FormatExtensible = -2; // 0xFFFE

    /// <summary>The samples of a WAV file as µ-law bytes.</summary>
    /// <exception cref="InvalidDataException">Not a WAV, or not 8000 Hz mono PCM16 / µ-law.</exception>
    public static byte[] ReadAsMuLaw(ReadOnlySpan<byte> wav)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("Not a RIFF/WAVE file.");
        }

        short? format = null;
        short channels = 0, bitsPerSample = 0;
        var sampleRate = 0;
        var position = 12;
        while (position + 8 <= wav.Length)
        {
            var id = wav.Slice(position, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav.Slice(position + 4, 4));
            var body = position + 8;
            if (size < 0 || body + size > wav.Length)
            {
                // Streamed WAVs may carry a placeholder size for the last chunk: take what is there.
                size = wav.Length - body;
            }

            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                format = BinaryPrimitives.ReadInt16LittleEndian(wav.Slice(body, 2));
                channels = BinaryPrimitives.ReadInt16LittleEndian(wav.Slice(body + 2, 2));
                sampleRate = BinaryPrimitives.ReadInt32LittleEndian(wav.Slice(body + 4, 4));
                bitsPerSample = BinaryPrimitives.ReadInt16LittleEndian(wav.Slice(body + 14, 2));
                if (format == FormatExtensible && size >= 26)
                {
                    format = BinaryPrimitives.ReadInt16LittleEndian(wav.Slice(body + 24, 2));
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    throw new InvalidDataException("WAV data chunk before its fmt chunk.");
                }

                if (channels != 1 || sampleRate != CallerAudio.SampleRate)
                {
                    throw new InvalidDataException($"Caller audio must be 8000 Hz mono; this WAV is {sampleRate} Hz with {channels} channel(s).");
                }

                var data = wav.Slice(body, size);
                if (format == FormatMuLaw && bitsPerSample == 8)
                {
                    return data.ToArray();
                }

                if (format == FormatPcm && bitsPerSample == 16)
                {
                    var samples = new short[data.Length / 2];
                    for (var i = 0; i < samples.Length; i++)
                    {
                        samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data.Slice(i * 2, 2));
                    }

                    var mulaw = new byte[samples.Length];
                    MuLaw.Encode(samples, mulaw);
                    return mulaw;
                }

                throw new InvalidDataException($"Caller audio must be 16-bit PCM or 8-bit µ-law; this WAV is format {format} with {bitsPerSample} bits.");
            }

            position = body + size + (size & 1);
        }

        throw new InvalidDataException("WAV file without a data chunk.");
    }

    /// <summary>A G.711 µ-law WAV (format 7, 8000 Hz, mono) holding <paramref name="mulaw"/>.</summary>
    public static byte[] Write(ReadOnlySpan<byte> mulaw)
    {
        var wav = new byte[46 + mulaw.Length];
        var span = wav.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 38 + mulaw.Length);
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 18);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], FormatMuLaw);
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], CallerAudio.SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], CallerAudio.SampleRate);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 8);
        BinaryPrimitives.WriteInt16LittleEndian(span[36..], 0);
        "data"u8.CopyTo(span[38..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[42..], mulaw.Length);
        mulaw.CopyTo(span[46..]);
        return wav;
    }
}
