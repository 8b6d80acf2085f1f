using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Awaaz.Smartflo.Simulator.Load;

/// <summary>One reading of a process: CPU use since the previous reading (100 = one core) and resident memory.</summary>
public sealed record ProcessSample(double AtSeconds, double CpuPercent, double RssMb);

/// <summary>Reads a Linux process's CPU time (`/proc/&lt;pid&gt;/stat` utime+stime) and RSS (`/proc/&lt;pid&gt;/status` VmRSS).</summary>
public sealed class ProcessSampler
{
    private const int ScClkTck = 2;
    private static readonly double TicksPerSecond = ReadTicksPerSecond();

    private readonly int _pid;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _lastSeconds;
    private long _lastTicks;

    public ProcessSampler(int pid)
    {
        _pid = pid;
        _lastTicks = ReadCpuTicks() ?? throw new ArgumentException($"No readable /proc/{pid}/stat: is process {pid} running on this Linux machine?", nameof(pid));
    }

    /// <summary>CPU since the previous call (or construction) and RSS now; null once the process is gone.</summary>
    public ProcessSample? Sample()
    {
        var ticks = ReadCpuTicks();
        var rss = ReadRssKb();
        if (ticks is null || rss is null)
        {
            return null;
        }

        var now = _clock.Elapsed.TotalSeconds;
        var cpu = now > _lastSeconds ? (ticks.Value - _lastTicks) / TicksPerSecond / (now - _lastSeconds) * 100 : 0;
        _lastSeconds = now;
        _lastTicks = ticks.Value;
        return new ProcessSample(now, cpu, rss.Value / 1024.0);
    }

    private long? ReadCpuTicks()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{_pid}/stat");
            // Fields after the parenthesised command name start at field 3 (state); utime is field 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private long? ReadRssKb()
    {
        try
        {
            var line = File.ReadLines($"/proc/{_pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static double ReadTicksPerSecond()
    {
        try
        {
            var ticks = SysConf(ScClkTck);
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);
}
