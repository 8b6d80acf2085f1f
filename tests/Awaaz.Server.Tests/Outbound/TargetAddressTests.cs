using System.Net;
using Awaaz.Server.Outbound;

namespace Awaaz.Server.Tests.Outbound;

public sealed class TargetAddressTests
{
    [Theory]
    [InlineData("127.0.0.1")] [InlineData("127.255.255.254")]                       // loopback
    [InlineData("10.0.0.1")] [InlineData("10.255.255.255")]                          // private
    [InlineData("172.16.0.1")] [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")] [InlineData("192.168.255.255")]
    [InlineData("169.254.169.254")] [InlineData("169.254.0.1")]                      // link-local, metadata
    [InlineData("100.64.0.1")] [InlineData("100.100.100.200")] [InlineData("100.127.255.255")] // CGNAT
    [InlineData("0.0.0.0")] [InlineData("0.1.2.3")]                                  // unspecified, "this network"
    [InlineData("224.0.0.1")] [InlineData("239.255.255.250")]                        // multicast
    [InlineData("255.255.255.255")] [InlineData("240.0.0.1")]                        // broadcast, reserved
    [InlineData("192.0.2.10")] [InlineData("198.51.100.7")] [InlineData("203.0.113.9")] // documentation
    [InlineData("198.18.0.1")] [InlineData("198.19.255.255")] [InlineData("192.0.0.8")] [InlineData("192.88.99.1")]
    [InlineData("::1")] [InlineData("::")]                                           // IPv6 loopback, unspecified
    [InlineData("fc00::1")] [InlineData("fd12:3456:789a::1")] [InlineData("fd00:ec2::254")] // ULA (incl. AWS metadata)
    [InlineData("fe80::1")] [InlineData("febf:ffff::1")] [InlineData("fec0::1")]     // link-local, site-local
    [InlineData("ff02::1")] [InlineData("ff0e::1")]                                  // multicast
    [InlineData("100::1")] [InlineData("2001:db8::1")] [InlineData("2001::1")] [InlineData("3fff::1")] // discard, documentation, Teredo
    [InlineData("::ffff:127.0.0.1")] [InlineData("::ffff:10.1.2.3")] [InlineData("::ffff:169.254.169.254")] [InlineData("::ffff:0.0.0.0")] // IPv4-mapped
    [InlineData("::127.0.0.1")] [InlineData("::10.0.0.1")] [InlineData("::192.168.1.1")] // IPv4-compatible
    [InlineData("64:ff9b::7f00:1")] [InlineData("64:ff9b::a9fe:a9fe")]               // NAT64 of loopback, metadata
    [InlineData("2002:7f00:1::1")] [InlineData("2002:c0a8:101::1")]                  // 6to4 of loopback, private
    public void Non_public_addresses_are_blocked(string address) =>
        TargetAddress.IsBlocked(IPAddress.Parse(address)).ShouldBeTrue(address);

    [Theory]
    [InlineData("8.8.8.8")] [InlineData("1.1.1.1")] [InlineData("11.0.0.1")] [InlineData("9.255.255.255")]
    [InlineData("172.15.255.255")] [InlineData("172.32.0.1")] [InlineData("192.169.0.1")] [InlineData("192.167.255.255")]
    [InlineData("100.63.255.255")] [InlineData("100.128.0.1")] [InlineData("169.253.255.255")] [InlineData("169.255.0.1")]
    [InlineData("126.255.255.255")] [InlineData("128.0.0.1")] [InlineData("223.255.255.254")]
    [InlineData("2606:4700:4700::1111")] [InlineData("2001:4860:4860::8888")] [InlineData("2a00:1450:4001::1")]
    [InlineData("::ffff:8.8.8.8")] [InlineData("64:ff9b::808:808")] [InlineData("2002:808:808::1")]
    public void Public_addresses_are_allowed(string address) =>
        TargetAddress.IsBlocked(IPAddress.Parse(address)).ShouldBeFalse(address);

    [Theory]
    [InlineData("https://example.com/fn", false, null)]
    [InlineData("https://8.8.8.8/fn", false, null)]
    [InlineData("https://localhost/fn", false, null)] // names are judged on their resolved addresses at connect time
    [InlineData("http://example.com/fn", false, "must be an https:// URL")]
    [InlineData("ftp://example.com/fn", false, "must be an https:// URL")]
    [InlineData("/relative", false, "must be an absolute URL")]
    [InlineData("https://user:pass@example.com/fn", false, "must not contain user credentials (send them in headers)")]
    [InlineData("https://127.0.0.1/fn", false, "must not target a loopback, private, link-local or reserved address")]
    [InlineData("https://169.254.169.254/latest/meta-data", false, "must not target a loopback, private, link-local or reserved address")]
    [InlineData("https://[::1]/fn", false, "must not target a loopback, private, link-local or reserved address")]
    [InlineData("https://[::ffff:10.0.0.1]/fn", false, "must not target a loopback, private, link-local or reserved address")]
    [InlineData("http://127.0.0.1:8080/fn", true, null)]
    [InlineData("ftp://127.0.0.1/fn", true, "must be an http:// or https:// URL")]
    public void Urls_are_checked_when_saved(string url, bool allowPrivate, string? problem) =>
        OutboundUrl.Problem(url, allowPrivate).ShouldBe(problem);
}
