namespace Awaaz.Media.Tests;

public sealed class MuLawTests
{
    [Fact]
    public void The_encode_table_matches_the_reference_encoder_for_every_sample()
    {
        for (int s = short.MinValue; s <= short.MaxValue; s++)
            if (MuLaw.Encode((short)s) != MuLaw.EncodeSlow((short)s))
                MuLaw.Encode((short)s).ShouldBe(MuLaw.EncodeSlow((short)s), $"sample {s}");
    }

    [Fact]
    public void Decoding_then_encoding_returns_the_code_except_for_negative_zero()
    {
        for (var code = 0; code < 256; code++)
        {
            var expected = code == 0x7F ? (byte)0xFF : (byte)code; // 0x7F is −0, which encodes as +0
            MuLaw.Encode(MuLaw.Decode((byte)code)).ShouldBe(expected, $"code {code:X2}");
        }
    }

    [Fact]
    public void Known_values_and_silence()
    {
        MuLaw.Decode(MuLaw.Silence).ShouldBe((short)0);
        MuLaw.Decode(0x00).ShouldBe((short)-32124);
        MuLaw.Decode(0x80).ShouldBe((short)32124);
        MuLaw.Encode(0).ShouldBe(MuLaw.Silence);
        MuLaw.Encode(short.MaxValue).ShouldBe((byte)0x80);
        MuLaw.Encode(short.MinValue).ShouldBe((byte)0x00);
    }

    [Fact]
    public void Span_overloads_match_the_scalar_ones_and_check_lengths()
    {
        var pcm = Enumerable.Range(0, 1000).Select(i => (short)(i * 65 - 32000)).ToArray();
        var codes = new byte[pcm.Length];
        MuLaw.Encode(pcm, codes);
        codes.ShouldBe(pcm.Select(MuLaw.Encode).ToArray());
        var back = new short[codes.Length];
        MuLaw.Decode(codes, back);
        back.ShouldBe(codes.Select(MuLaw.Decode).ToArray());
        Should.Throw<ArgumentException>(() => MuLaw.Encode(pcm, new byte[999]));
        Should.Throw<ArgumentException>(() => MuLaw.Decode(codes, new short[999]));
    }
}
