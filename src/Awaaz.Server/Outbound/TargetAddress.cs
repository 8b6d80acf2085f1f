using System.Net;
using System.Net.Sockets;

namespace Awaaz.Server.Outbound;

/// <summary>
/// Which IP addresses a partner-chosen URL may reach: public unicast only. Refused: loopback, private (RFC 1918),
/// link-local and cloud metadata, CGNAT, unspecified, multicast, broadcast, documentation, benchmarking and other
/// reserved IPv4 ranges; for IPv6 everything outside global unicast 2000::/3 (::1, ::, ULA fc00::/7, fe80::/10,
/// multicast…) plus the special blocks inside it; IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64,
/// 6to4) are judged by that IPv4 address.
/// </summary>
public static class TargetAddress
{
    private static readonly (uint Network, int Prefix)[] BlockedV4 =
    [
        (V4(0, 0, 0, 0), 8),        // "this network", incl. 0.0.0.0
        (V4(10, 0, 0, 0), 8),       // private
        (V4(100, 64, 0, 0), 10),    // CGNAT (incl. 100.100.100.200 metadata)
        (V4(127, 0, 0, 0), 8),      // loopback
        (V4(169, 254, 0, 0), 16),   // link-local, 169.254.169.254 metadata
        (V4(172, 16, 0, 0), 12),    // private
        (V4(192, 0, 0, 0), 24),     // IETF protocol assignments
        (V4(192, 0, 2, 0), 24),     // documentation
        (V4(192, 88, 99, 0), 24),   // 6to4 relay anycast
        (V4(192, 168, 0, 0), 16),   // private
        (V4(198, 18, 0, 0), 15),    // benchmarking
        (V4(198, 51, 100, 0), 24),  // documentation
        (V4(203, 0, 113, 0), 24),   // documentation
        (V4(224, 0, 0, 0), 4),      // multicast
        (V4(240, 0, 0, 0), 4),      // reserved, incl. 255.255.255.255 broadcast
    ];

    /// <summary>True when a request must not connect to <paramref name="address"/>.</summary>
    public static bool IsBlocked(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork) return IsBlockedV4(ToUInt32(address.GetAddressBytes()));
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return true;

        var b = address.GetAddressBytes();
        if (EmbeddedV4(b) is { } v4) return IsBlockedV4(v4);
        if ((b[0] & 0xE0) != 0x20) return true;                        // outside 2000::/3: ::, ::1, fc00::/7, fe80::/10, ff00::/8, 100::/64…
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02) return true;   // 2001::/23 IETF protocol assignments (Teredo 2001::/32…)
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return true; // 2001:db8::/32 documentation
        if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0) return true;          // 3fff::/20 documentation
        return false;
    }

    /// <summary>The IPv4 address inside ::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::a.b.c.d and 2002:AABB:CCDD::/48; else null.</summary>
    private static uint? EmbeddedV4(byte[] b)
    {
        var firstTenZero = b.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0;
        if (firstTenZero && b[10] == 0xff && b[11] == 0xff) return ToUInt32(b.AsSpan(12));                   // mapped
        if (firstTenZero && b[10] == 0 && b[11] == 0 && ToUInt32(b.AsSpan(12)) > 1) return ToUInt32(b.AsSpan(12)); // compatible (not :: or ::1)
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            return ToUInt32(b.AsSpan(12));                                                                   // NAT64 64:ff9b::/96
        if (b[0] == 0x20 && b[1] == 0x02) return ToUInt32(b.AsSpan(2, 4));                                   // 6to4 2002::/16
        return null;
    }

    private static bool IsBlockedV4(uint address)
    {
        foreach (var (network, prefix) in BlockedV4)
            if ((address & (uint.MaxValue << (32 - prefix))) == network) return true;
        return false;
    }

    private static uint V4(byte a, byte b, byte c, byte d) => (uint)(a << 24 | b << 16 | c << 8 | d);

    private static uint ToUInt32(ReadOnlySpan<byte> b) => (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
}
