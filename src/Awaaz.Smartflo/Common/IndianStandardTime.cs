using System.Globalization;

namespace Awaaz.Smartflo;

/// <summary>
/// Smartflo writes timestamps as Indian Standard Time wall-clock text without a zone (<c>2026-02-08 12:34:53</c>),
/// sometimes as epoch seconds. IST is UTC+05:30 with no daylight saving (spec §10.5 Q6).
/// </summary>
public static class IndianStandardTime
{
    /// <summary>UTC+05:30.</summary>
    public static readonly TimeSpan Offset = new(5, 30, 0);

    private static readonly string[] WallClockFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm",
    ];

    private static readonly string[] ZonedFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    // Epoch values at or above this are read as milliseconds (seconds this large would be after year 5000).
    private const double MillisecondsThreshold = 1e11;

    /// <summary>
    /// Parses IST wall-clock text, ISO-8601 with a zone or offset, or epoch seconds (integer or fractional,
    /// number text) into a UTC <see cref="DateTimeOffset"/>. Returns false for anything else.
    /// </summary>
    public static bool TryParse(string? text, out DateTimeOffset utc)
    {
        utc = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var trimmed = text.Trim();

        if (DateTime.TryParseExact(trimmed, WallClockFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var wallClock))
            return TryFromWallClock(wallClock, out utc);

        if (DateTimeOffset.TryParseExact(trimmed, ZonedFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var zoned))
        {
            utc = zoned.ToUniversalTime();
            return true;
        }

        return double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var epoch)
               && TryFromEpoch(epoch, out utc);
    }

    /// <summary>Epoch seconds (milliseconds when ≥ 1e11) to UTC; false when out of the representable range.</summary>
    public static bool TryFromEpoch(double epoch, out DateTimeOffset utc)
    {
        utc = default;
        if (double.IsNaN(epoch) || double.IsInfinity(epoch) || epoch < 0) return false;
        var milliseconds = epoch >= MillisecondsThreshold ? epoch : epoch * 1000d;
        if (milliseconds > 253_402_300_799_000d) return false;
        utc = DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(milliseconds * TimeSpan.TicksPerMillisecond));
        return true;
    }

    /// <summary>Combines a CDR <c>date</c> (<c>yyyy-MM-dd</c>) and <c>time</c> (<c>HH:mm:ss</c>) given in IST.</summary>
    public static bool TryParseDateAndTime(string? date, string? time, out DateTimeOffset utc)
    {
        utc = default;
        if (string.IsNullOrWhiteSpace(date)) return false;
        return TryParse(string.IsNullOrWhiteSpace(time) ? date.Trim() + " 00:00:00" : $"{date.Trim()} {time.Trim()}", out utc);
    }

    /// <summary>Formats an instant as IST wall-clock text <c>yyyy-MM-dd HH:mm:ss</c>, the form Smartflo queries expect.</summary>
    public static string ToWallClock(DateTimeOffset instant) =>
        instant.ToOffset(Offset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static bool TryFromWallClock(DateTime wallClock, out DateTimeOffset utc)
    {
        utc = default;
        var ticks = wallClock.Ticks - Offset.Ticks;
        if (ticks < DateTime.MinValue.Ticks) return false;
        utc = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }
}
