using System.Buffers.Binary;
using System.Text;

namespace Awaaz.Media.Tests.Support;

/// <summary>Builds RIFF/WAVE files chunk by chunk, including malformed ones.</summary>
internal static class RiffBuilder
{
    public static byte[] Wave(params (string Id, byte[] Body)[] chunks) => Riff("RIFF", "WAVE", chunks);

    public static byte[] Riff(string magic, string form, params (string Id, byte[] Body)[] chunks)
    {
        var body = new MemoryStream();
        body.Write(Encoding.ASCII.GetBytes(form));
        foreach (var (id, content) in chunks)
        {
            body.Write(Encoding.ASCII.GetBytes(id));
            body.Write(Le32((uint)content.Length));
            body.Write(content);
            if (content.Length % 2 == 1) body.WriteByte(0); // pad byte
        }
        var file = new MemoryStream();
        file.Write(Encoding.ASCII.GetBytes(magic));
        file.Write(Le32((uint)body.Length));
        body.WriteTo(file);
        return file.ToArray();
    }

    /// <summary>A 16-byte fmt body, or 40 bytes for WAVE_FORMAT_EXTENSIBLE carrying <paramref name="subFormat"/>.</summary>
    public static (string, byte[]) Fmt(int tag, int channels, int rate, int bits, int? subFormat = null, int extraBytes = 0)
    {
        var length = subFormat is null ? 16 + extraBytes : 40;
        var fmt = new byte[length];
        var blockAlign = channels * bits / 8;
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, (ushort)tag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), (uint)(rate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), (ushort)bits);
        if (subFormat is { } sub)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(24), (ushort)sub);
        }
        return ("fmt ", fmt);
    }

    public static (string, byte[]) Data(byte[] bytes) => ("data", bytes);

    public static (string, byte[]) Data(short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), samples[i]);
        return ("data", bytes);
    }

    public static byte[] Le32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }
}
