using System.Security.Cryptography;
using System.Text;

namespace Awaaz.Server.Voice;

/// <summary>RFC 4122 version-5 (SHA-1, name-based) UUIDs: the same namespace and name always give the same id.</summary>
public static class NameBasedUuid
{
    /// <summary>Namespace of every id Awaaz derives from a name (catalog voices, default projects).</summary>
    public static readonly Guid AwaazNamespace = new("8f4d3c2a-6b1e-4f7a-9c5d-2e8b1a7f6c30");

    public static string Create(string name) => Create(AwaazNamespace, name);

    public static string Create(Guid @namespace, string name)
    {
        var namespaceBytes = @namespace.ToByteArray(bigEndian: true);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[namespaceBytes.Length + nameBytes.Length];
        namespaceBytes.CopyTo(input, 0);
        nameBytes.CopyTo(input, namespaceBytes.Length);

        var hash = SHA1.HashData(input);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50); // version 5
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
