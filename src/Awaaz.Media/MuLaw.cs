namespace Awaaz.Media;

/// <summary>
/// G.711 µ-law (ITU-T G.711, bias 0x84, clip 32635) between 16-bit linear PCM and 8-bit codes.
/// Decoding is a 256-entry table; encoding a 16 K-entry table indexed by the top 14 bits of the sample,
/// which is exact because G.711 µ-law ignores the lowest 2 bits.
/// </summary>
public static class MuLaw
{
    /// <summary>The code of digital silence (0 after decoding), used for padding.</summary>
    public const byte Silence = 0xFF;

    private const int Bias = 0x84;

    private static readonly int[] SegmentEnds = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];
    private static readonly short[] DecodeTable = BuildDecodeTable();
    private static readonly byte[] EncodeTable = BuildEncodeTable();

    public static short Decode(byte code) => DecodeTable[code];

    public static byte Encode(short sample) => EncodeTable[(ushort)sample >> 2];

    public static void Decode(ReadOnlySpan<byte> codes, Span<short> samples)
    {
        if (samples.Length < codes.Length) throw new ArgumentException("Output shorter than input.", nameof(samples));
        var table = DecodeTable;
        for (var i = 0; i < codes.Length; i++) samples[i] = table[codes[i]];
    }

    public static void Encode(ReadOnlySpan<short> samples, Span<byte> codes)
    {
        if (codes.Length < samples.Length) throw new ArgumentException("Output shorter than input.", nameof(codes));
        var table = EncodeTable;
        for (var i = 0; i < samples.Length; i++) codes[i] = table[(ushort)samples[i] >> 2];
    }

    /// <summary>
    /// Reference encoder on the 14-bit magnitude (the ITU/Sun g711.c form), used to build the table and by tests.
    /// It looks only at <c>sample &gt;&gt; 2</c>, which is what makes the 16 K table exact.
    /// </summary>
    public static byte EncodeSlow(short sample)
    {
        int pcm = sample >> 2;
        int mask;
        if (pcm < 0) { pcm = -pcm; mask = 0x7F; }
        else mask = 0xFF;
        if (pcm > 8159) pcm = 8159;
        pcm += Bias >> 2;
        var segment = 0;
        while (segment < 8 && pcm > SegmentEnds[segment]) segment++;
        if (segment >= 8) return (byte)(0x7F ^ mask);
        return (byte)(((segment << 4) | ((pcm >> (segment + 1)) & 0x0F)) ^ mask);
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (var i = 0; i < 256; i++)
        {
            var code = ~i & 0xFF;
            var sign = code & 0x80;
            var exponent = (code >> 4) & 0x07;
            var mantissa = code & 0x0F;
            var magnitude = (((mantissa << 3) + Bias) << exponent) - Bias;
            table[i] = (short)(sign != 0 ? -magnitude : magnitude);
        }
        return table;
    }

    private static byte[] BuildEncodeTable()
    {
        var table = new byte[1 << 14];
        for (var i = 0; i < table.Length; i++) table[i] = EncodeSlow((short)(i << 2));
        return table;
    }
}
