using System.Globalization;

namespace Awaaz.Smartflo.Simulator.Calls;

/// <summary>India Standard Time (UTC+05:30, no DST): the zone-less stamps Smartflo writes (quirk Q6).</summary>
public static class Ist
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(5.5);

    /// <summary>`YYYY-MM-DD HH:MM:SS` in IST.</summary>
    public static string Stamp(DateTimeOffset instant) =>
        instant.ToOffset(Offset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset instant) =>
        instant.ToOffset(Offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset instant) =>
        instant.ToOffset(Offset).ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Parses an IST `YYYY-MM-DD HH:MM:SS` (or a bare date, as the start of that day).</summary>
    public static DateTimeOffset? TryParse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        string[] formats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd"];
        return DateTime.TryParseExact(value.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new DateTimeOffset(local, Offset)
            : null;
    }
}
