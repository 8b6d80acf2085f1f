using System.Buffers.Binary;

namespace Awaaz.Smartflo.Simulator.Rest;

/// <summary>WAV files of G.711 µ-law silence (0xFF), 8000 Hz mono.</summary>
internal static class SilentWav
{
    private const int SampleRate = 8000;

    public static byte[] MuLaw(int seconds)
    {
        var dataLength = Math.Clamp(seconds, 0, 3600) * SampleRate;
        var wav = new byte[46 + dataLength];
        var span = wav.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 38 + dataLength);
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 18);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 7); // WAVE_FORMAT_MULAW
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], SampleRate);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 8);
        BinaryPrimitives.WriteInt16LittleEndian(span[36..], 0);
        "data"u8.CopyTo(span[38..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[42..], dataLength);
        span[46..].Fill(0xFF);
        return wav;
    }
}
