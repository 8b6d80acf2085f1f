using System.Globalization;

namespace Awaaz.Smartflo.Simulator.Calls;

/// <summary>Style of Smartflo call ids (quirk Q9).</summary>
public enum CallIdStyle
{
    /// <summary>`h3.08-1770534283.2156835`</summary>
    HostPrefixed,
    /// <summary>`1739257917.28918`</summary>
    Legacy,
}

/// <summary>Every random id the simulator hands out, drawn from one seeded generator (spec §16.1 determinism).</summary>
public sealed class SimIds
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private readonly Lock _gate = new();
    private Random _random = new(0);
    private long _callSequence;

    public SimIds(int seed) => Reseed(seed);

    /// <summary>Restarts the sequence: the same seed gives the same ids again.</summary>
    public void Reseed(int seed)
    {
        lock (_gate)
        {
            _random = new Random(seed);
            _callSequence = _random.Next(2_000_000, 2_200_000);
        }
    }

    /// <summary>Smartflo call id carrying the epoch second of the call start.</summary>
    public string CallId(DateTimeOffset now, CallIdStyle style)
    {
        lock (_gate)
        {
            var sequence = ++_callSequence;
            var epoch = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            return style == CallIdStyle.Legacy
                ? $"{epoch}.{sequence % 100_000}"
                : $"h{_random.Next(1, 13)}.08-{epoch}.{sequence}";
        }
    }

    /// <summary>13 hex characters: the epoch second in hex then 5 random hex digits (`69882f281b4b0`).</summary>
    public string Uuid(DateTimeOffset now) =>
        now.ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture) + Hex(5);

    /// <summary>A version-4 UUID drawn from the seed.</summary>
    public string Guid()
    {
        var bytes = new byte[16];
        lock (_gate)
        {
            _random.NextBytes(bytes);
        }

        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    /// <summary>24-hex CDR record id (epoch prefix like a Mongo ObjectId).</summary>
    public string RecordId(DateTimeOffset now) =>
        now.ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture) + Hex(16);

    public string Hex(int length)
    {
        lock (_gate)
        {
            return string.Create(length, _random, static (span, random) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = "0123456789abcdef"[random.Next(16)];
                }
            });
        }
    }

    public string Alnum(int length)
    {
        lock (_gate)
        {
            return string.Create(length, _random, static (span, random) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = Alphanumeric[random.Next(Alphanumeric.Length)];
                }
            });
        }
    }

    public int Next(int minInclusive, int maxExclusive)
    {
        lock (_gate)
        {
            return _random.Next(minInclusive, maxExclusive);
        }
    }

    public double NextDouble()
    {
        lock (_gate)
        {
            return _random.NextDouble();
        }
    }
}
