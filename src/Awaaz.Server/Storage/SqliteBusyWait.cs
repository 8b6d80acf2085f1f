using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Awaaz.Server.Storage;

/// <summary>
/// A millisecond-grained busy handler for SQLite connections. The bundled e_sqlite3 (SQLitePCLRaw 2.0.x) is built
/// without <c>HAVE_USLEEP</c>, so SQLite's own <c>busy_timeout</c> handler sleeps in whole seconds: a statement that
/// meets another writer's lock waits at least 1 000 ms, which alone breaks the resolver's 2 s deadline under load.
/// This handler retries every ~1 ms (5 ms after the first 50 tries), up to about 10 s in all — the same bound as
/// <c>busy_timeout = 10000</c>, which stays in place when the native library does not export the function.
/// </summary>
internal static class SqliteBusyWait
{
    private const int FastTries = 50;
    private const int MaxTries = FastTries + (10_000 - FastTries) / 5;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int BusyCallback(IntPtr argument, int tries);

    private static readonly BusyCallback Callback = OnBusy; // rooted for the life of the process
    private static readonly IntPtr CallbackPointer = Marshal.GetFunctionPointerForDelegate(Callback);
    private static int _unavailable;
    private static long _waits;

    /// <summary>How many times any connection waited in this handler (diagnostics and tests).</summary>
    public static long Waits => Interlocked.Read(ref _waits);

    /// <summary>Installs the handler on an open connection (replacing busy_timeout's); false if the runtime library lacks it.</summary>
    public static bool Install(SqliteConnection connection)
    {
        if (Volatile.Read(ref _unavailable) != 0 || connection.Handle is null) return false;
        try
        {
            return sqlite3_busy_handler(connection.Handle.DangerousGetHandle(), CallbackPointer, IntPtr.Zero) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref _unavailable, 1);
            return false;
        }
    }

    /// <summary>SQLite calls this while a lock is held elsewhere: non-zero = try again, 0 = give up (SQLITE_BUSY).</summary>
    private static int OnBusy(IntPtr argument, int tries)
    {
        if (tries >= MaxTries) return 0;
        Interlocked.Increment(ref _waits);
        Thread.Sleep(tries < FastTries ? 1 : 5);
        return 1;
    }

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_busy_handler(IntPtr db, IntPtr callback, IntPtr argument);
}
