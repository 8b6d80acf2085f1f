using System.Buffers.Binary;
using Awaaz.Media.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using static Awaaz.Media.Tests.Support.RiffBuilder;

namespace Awaaz.Media.Tests;

public sealed class WavTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(200);

    private static byte[] WriteWav(short[] interleaved, int sampleRate, int channels, Stream? into = null)
    {
        var stream = into ?? new MemoryStream();
        using (var writer = new WavWriter(stream, sampleRate, channels, leaveOpen: true))
        {
            writer.Write(interleaved);
            writer.Frames.ShouldBe(interleaved.Length / channels);
        }
        return stream is MemoryStream memory ? memory.ToArray() : ((ForwardOnlyStream)stream).ToArray();
    }

    /// <summary>Reads with a caller-chosen buffer size, as a streaming consumer would.</summary>
    private static short[] ReadInPieces(WavReader reader, int bufferSamples)
    {
        var all = new List<short>();
        var buffer = new short[bufferSamples];
        int n;
        while ((n = reader.Read(buffer)) > 0)
        {
            (n % reader.Format.Channels).ShouldBe(0);
            all.AddRange(buffer.AsSpan(0, n));
        }
        return [.. all];
    }

    [Fact]
    public void Pcm16_round_trips_for_any_samples_rate_channels_and_read_size()
    {
        var cases =
            from samples in ArbMap.Default.GeneratorFor<short[]>()
            from rate in Gen.Elements(8000, 16000, 22050, 44100, 1, 192000)
            from channels in Gen.Elements(1, 2)
            from bufferSamples in Gen.Choose(2, 5000)
            select (samples, rate, channels, bufferSamples);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var interleaved = c.samples.Length % c.channels == 0 ? c.samples : c.samples[..^1];
            var file = WriteWav(interleaved, c.rate, c.channels);
            using var reader = WavReader.Open(new MemoryStream(file));
            return reader.Format == new WavFormat(WavEncoding.Pcm16, c.channels, c.rate)
                   && reader.DataLength == interleaved.Length * 2
                   && ReadInPieces(reader, c.bufferSamples).AsSpan().SequenceEqual(interleaved);
        }).Check(Runs);
    }

    [Fact]
    public void Writer_produces_the_canonical_44_byte_header_with_patched_sizes()
    {
        var file = WriteWav([1, -1, 2, -2], 8000, 2);
        file.Length.ShouldBe(44 + 8);
        file.AsSpan(0, 4).ToArray().ShouldBe("RIFF"u8.ToArray());
        BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4)).ShouldBe(36u + 8);
        file.AsSpan(8, 8).ToArray().ShouldBe("WAVEfmt "u8.ToArray());
        BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(16)).ShouldBe(16u);
        BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(20)).ShouldBe((ushort)1);
        BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(22)).ShouldBe((ushort)2);
        BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(24)).ShouldBe(8000u);
        BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(28)).ShouldBe(32000u);
        BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(32)).ShouldBe((ushort)4);
        BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(34)).ShouldBe((ushort)16);
        file.AsSpan(36, 4).ToArray().ShouldBe("data"u8.ToArray());
        BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(40)).ShouldBe(8u);
        BinaryPrimitives.ReadInt16LittleEndian(file.AsSpan(46)).ShouldBe((short)-1);
    }

    [Fact]
    public void Writer_complete_is_idempotent_and_refuses_later_writes()
    {
        var stream = new MemoryStream();
        var writer = new WavWriter(stream, 8000, 1, leaveOpen: true);
        writer.Write([5, 6, 7]);
        writer.Complete();
        var once = stream.ToArray();
        writer.Complete();
        writer.Dispose();
        writer.Dispose();
        stream.ToArray().ShouldBe(once);
        Should.Throw<ObjectDisposedException>(() => writer.Write([1]));
        Should.Throw<ArgumentException>(() => new WavWriter(new MemoryStream(), 8000, 2).Write([1, 2, 3]));
        Should.Throw<ArgumentOutOfRangeException>(() => new WavWriter(new MemoryStream(), 8000, 3));
    }

    [Fact]
    public void An_unfinished_or_unseekable_file_keeps_unknown_sizes_and_reads_to_the_end()
    {
        var samples = Signals.Noise(3, 1000);
        var file = WriteWav(samples, 8000, 1, new ForwardOnlyStream());
        BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(40)).ShouldBe(uint.MaxValue);
        using var reader = WavReader.Open(new ForwardOnlyStream(file));
        reader.DataLength.ShouldBeNull();
        ReadInPieces(reader, 333).ShouldBe(samples);

        // A writer that never completes (process crashed) leaves the same readable file.
        var crashed = new MemoryStream();
        new WavWriter(crashed, 8000, 1, leaveOpen: true).Write(samples);
        WavReader.ReadAll(crashed.ToArray()).Samples.ShouldBe(samples);
    }

    [Fact]
    public void Mulaw_files_decode_to_pcm16_with_the_g711_table()
    {
        var codes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var file = Wave(Fmt(7, 2, 8000, 8), Data(codes));
        var audio = WavReader.ReadAll(file);
        audio.Format.ShouldBe(new WavFormat(WavEncoding.MuLaw, 2, 8000));
        audio.Samples.ShouldBe(codes.Select(MuLaw.Decode).ToArray());
        audio.Frames.ShouldBe(128);
        audio.Channel(1)[0].ShouldBe(MuLaw.Decode(1));
    }

    [Fact]
    public void Chunk_walking_skips_unknown_and_odd_sized_chunks_and_reads_extended_formats()
    {
        short[] samples = [100, -200, 300];
        var variants = new[]
        {
            Wave(("LIST", new byte[7]), Fmt(1, 1, 16000, 16), ("fact", new byte[4]), ("junk", new byte[1]), Data(samples)),
            Wave(Fmt(1, 1, 16000, 16, extraBytes: 2), Data(samples)),
            Wave(Fmt(0xFFFE, 1, 16000, 16, subFormat: 1), Data(samples)),
            Wave(("bext", new byte[601]), Fmt(1, 1, 16000, 16), Data(samples), ("LIST", new byte[9])),
        };
        foreach (var file in variants)
        {
            WavReader.ReadAll(file).ShouldBe(new WavAudio(new WavFormat(WavEncoding.Pcm16, 1, 16000), samples), new AudioComparer());
            using var unseekable = WavReader.Open(new ForwardOnlyStream(file));
            ReadInPieces(unseekable, 2).ShouldBe(samples);
        }
        var extensibleMuLaw = Wave(Fmt(0xFFFE, 1, 8000, 8, subFormat: 7), Data(new byte[] { 0xFF, 0x00 }));
        WavReader.ReadAll(extensibleMuLaw).Samples.ShouldBe([MuLaw.Decode(0xFF), MuLaw.Decode(0x00)]);
    }

    [Fact]
    public void A_data_chunk_longer_than_the_file_yields_the_whole_frames_present()
    {
        var file = Wave(Fmt(1, 2, 8000, 16), Data(new short[] { 1, 2, 3, 4, 5, 6 }));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(40), 1_000_000);
        WavReader.ReadAll(file[..^3]).Samples.ShouldBe([1, 2, 3, 4]); // the last frame lost 3 of its 4 bytes
    }

    [Fact]
    public void A_data_size_that_is_not_whole_frames_drops_the_partial_frame()
    {
        var file = Wave(Fmt(1, 1, 8000, 16), Data(new byte[] { 1, 0, 2, 0, 3 }), ("LIST", new byte[4]));
        WavReader.ReadAll(file).Samples.ShouldBe([1, 2]);
    }

    public static TheoryData<byte[], WavError> Malformed() => new()
    {
        { [], WavError.Truncated },
        { "RIFF\0\0\0"u8.ToArray(), WavError.Truncated },
        { Riff("RIFX", "WAVE", Fmt(1, 1, 8000, 16), Data(new byte[2])), WavError.NotRiff },
        { Riff("RF64", "WAVE", Fmt(1, 1, 8000, 16), Data(new byte[2])), WavError.NotRiff },
        { Riff("RIFF", "AVI ", Fmt(1, 1, 8000, 16), Data(new byte[2])), WavError.NotWave },
        { Wave(), WavError.MissingFormat },
        { Wave(("LIST", new byte[4])), WavError.MissingFormat },
        { Wave(Data(new byte[2]), Fmt(1, 1, 8000, 16)), WavError.MissingFormat },
        { Wave(Fmt(1, 1, 8000, 16)), WavError.MissingData },
        { Wave(Fmt(1, 1, 8000, 16), ("LIST", new byte[4])), WavError.MissingData },
        { Wave(Fmt(1, 1, 8000, 16))[..^4], WavError.Truncated },
        { Wave(("fmt ", new byte[14]), Data(new byte[2])), WavError.InvalidFormat },
        { Wave(Fmt(1, 0, 8000, 16), Data(new byte[2])), WavError.InvalidFormat },
        { Wave(Fmt(1, 1, 0, 16), Data(new byte[2])), WavError.InvalidFormat },
        { Wave(Fmt(0xFFFE, 1, 8000, 16, extraBytes: 8), Data(new byte[2])), WavError.InvalidFormat },
        { Wave(Fmt(1, 3, 8000, 16), Data(new byte[6])), WavError.UnsupportedFormat },
        { Wave(Fmt(1, 1, 8000, 24), Data(new byte[3])), WavError.UnsupportedFormat },
        { Wave(Fmt(1, 1, 8000, 8), Data(new byte[1])), WavError.UnsupportedFormat },
        { Wave(Fmt(3, 1, 8000, 32), Data(new byte[4])), WavError.UnsupportedFormat },
        { Wave(Fmt(6, 1, 8000, 8), Data(new byte[1])), WavError.UnsupportedFormat },
        { Wave(Fmt(7, 1, 8000, 16), Data(new byte[2])), WavError.UnsupportedFormat },
        { Wave(Fmt(0xFFFE, 1, 8000, 16, subFormat: 3), Data(new byte[2])), WavError.UnsupportedFormat },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_raise_a_typed_error(byte[] file, WavError expected)
    {
        Should.Throw<WavFormatException>(() => WavReader.Open(new MemoryStream(file))).Error.ShouldBe(expected);
        Should.Throw<WavFormatException>(() => WavReader.Open(new ForwardOnlyStream(file))).Error.ShouldBe(expected);
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_either_reads_a_prefix_or_raises_a_typed_error()
    {
        var samples = Signals.Noise(9, 50);
        var file = Wave(("LIST", new byte[5]), Fmt(1, 1, 8000, 16), Data(samples));
        for (var length = 0; length <= file.Length; length++)
        {
            try
            {
                var audio = WavReader.ReadAll(file[..length]);
                samples.AsSpan().StartsWith(audio.Samples).ShouldBeTrue();
                length.ShouldBeGreaterThanOrEqualTo(file.Length - samples.Length * 2);
            }
            catch (WavFormatException error)
            {
                length.ShouldBeLessThan(file.Length - samples.Length * 2, $"{error.Error} at {length}");
            }
        }
    }

    [Fact]
    public void Random_bytes_and_mutated_files_never_raise_anything_but_a_typed_error()
    {
        var valid = Wave(("LIST", new byte[3]), Fmt(1, 2, 8000, 16), Data(Signals.Noise(1, 40)));
        var mutated =
            from positions in Gen.Choose(0, valid.Length - 1).ArrayOf()
            from values in Gen.Choose(0, 255).ArrayOf(positions.Length)
            from cut in Gen.Choose(0, valid.Length)
            select Mutate(valid, positions, values, cut);
        var random = ArbMap.Default.GeneratorFor<byte[]>();
        var withHeader = random.Select(tail => (byte[])[.. "RIFF\0\0\0\0WAVE"u8, .. tail]);
        Prop.ForAll(Gen.OneOf(mutated, random, withHeader).ToArbitrary(), file =>
        {
            try
            {
                using var reader = WavReader.Open(new MemoryStream(file));
                ReadInPieces(reader, 17);
            }
            catch (WavFormatException)
            {
            }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
    }

    private static byte[] Mutate(byte[] file, int[] positions, int[] values, int cut)
    {
        var copy = (byte[])file.Clone();
        for (var i = 0; i < positions.Length; i++) copy[positions[i]] = (byte)values[i];
        return copy[..cut];
    }

    private sealed class AudioComparer : IEqualityComparer<WavAudio>
    {
        public bool Equals(WavAudio? x, WavAudio? y) => x!.Format == y!.Format && x.Samples.AsSpan().SequenceEqual(y.Samples);
        public int GetHashCode(WavAudio obj) => obj.Format.GetHashCode();
    }
}
