namespace Awaaz.Media.Tests.Support;

/// <summary>A stream that cannot seek (like a socket or pipe), over an in-memory buffer.</summary>
internal sealed class ForwardOnlyStream(MemoryStream inner) : Stream
{
    public ForwardOnlyStream() : this(new MemoryStream()) { }

    public ForwardOnlyStream(byte[] content) : this(new MemoryStream(content, writable: false)) { }

    public byte[] ToArray() => inner.ToArray();

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7)); // short reads on purpose
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
}
