using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Awaaz.Server.Voice.Offline;

/// <summary>
/// The few functions of libpocketsphinx 5prealpha (Debian's <c>libpocketsphinx3</c>) and libsphinxbase that the
/// recognizer uses, bound at run time so the library path is configurable and a missing library is a clear error
/// rather than a <see cref="DllNotFoundException"/> at first call. sphinxbase symbols are found through the
/// pocketsphinx handle (it depends on sphinxbase). sphinxbase's log is switched off once per process: it is global,
/// and a per-decoder <c>-logfn</c> would reopen it under running decoders.
/// </summary>
internal sealed class PocketsphinxNative
{
    private static readonly ConcurrentDictionary<string, Lazy<PocketsphinxNative>> Loaded = new();

    private PocketsphinxNative(nint library, string path)
    {
        T Bind<T>(string name) where T : Delegate
        {
            if (!NativeLibrary.TryGetExport(library, name, out var address))
                throw new PocketsphinxException(PocketsphinxError.NotInstalled, $"{path} has no function {name}: pocketsphinx 5prealpha (libpocketsphinx3) is expected.");
            return Marshal.GetDelegateForFunctionPointer<T>(address);
        }

        Args = Bind<PsArgs>("ps_args");
        ParseConfig = Bind<CmdLnParseR>("cmd_ln_parse_r");
        FreeConfig = Bind<CmdLnFreeR>("cmd_ln_free_r");
        Init = Bind<PsInit>("ps_init");
        Free = Bind<PsFree>("ps_free");
        LookupWord = Bind<PsLookupWord>("ps_lookup_word");
        FreeString = Bind<CkdFree>("ckd_free");
        SetJsgfString = Bind<PsSetJsgfString>("ps_set_jsgf_string");
        SetSearch = Bind<PsSetSearch>("ps_set_search");
        StartUtt = Bind<PsStartUtt>("ps_start_utt");
        ProcessRaw = Bind<PsProcessRaw>("ps_process_raw");
        EndUtt = Bind<PsEndUtt>("ps_end_utt");
        GetHyp = Bind<PsGetHyp>("ps_get_hyp");
        Bind<ErrSetLogfp>("err_set_logfp")(0);
    }

    /// <summary>Loads (once per path) and binds the library.</summary>
    /// <exception cref="PocketsphinxException">The library is missing or is not pocketsphinx 5prealpha.</exception>
    public static PocketsphinxNative Load(string path)
    {
        var lazy = Loaded.GetOrAdd(path, p => new Lazy<PocketsphinxNative>(() =>
        {
            if (!NativeLibrary.TryLoad(p, out var library))
                throw new PocketsphinxException(PocketsphinxError.NotInstalled,
                    $"The pocketsphinx library '{p}' cannot be loaded. Install it (Debian/Ubuntu: apt-get install libpocketsphinx3 pocketsphinx-en-us) or set Awaaz:Pocketsphinx:LibraryPath.");
            return new PocketsphinxNative(library, p);
        }));
        try
        {
            return lazy.Value;
        }
        catch (PocketsphinxException)
        {
            Loaded.TryRemove(new KeyValuePair<string, Lazy<PocketsphinxNative>>(path, lazy)); // retry after an install
            throw;
        }
    }

    public PsArgs Args { get; }
    public CmdLnParseR ParseConfig { get; }
    public CmdLnFreeR FreeConfig { get; }
    public PsInit Init { get; }
    public PsFree Free { get; }
    public PsLookupWord LookupWord { get; }
    public CkdFree FreeString { get; }
    public PsSetJsgfString SetJsgfString { get; }
    public PsSetSearch SetSearch { get; }
    public PsStartUtt StartUtt { get; }
    public PsProcessRaw ProcessRaw { get; }
    public PsEndUtt EndUtt { get; }
    public PsGetHyp GetHyp { get; }

    /// <summary>Builds a configuration from <c>-name value</c> pairs (argv starts at the first name); 0 on error.</summary>
    public nint CreateConfig(IReadOnlyList<string> arguments)
    {
        var argv = new nint[arguments.Count];
        try
        {
            for (var i = 0; i < argv.Length; i++) argv[i] = Marshal.StringToCoTaskMemUTF8(arguments[i]);
            return ParseConfig(0, Args(), argv.Length, argv, strict: 1);
        }
        finally
        {
            foreach (var p in argv) Marshal.FreeCoTaskMem(p);
        }
    }

    /// <summary>The phones of a dictionary word, or null when the word is not in the dictionary.</summary>
    public string? Pronunciation(nint decoder, string word)
    {
        var phones = LookupWord(decoder, word);
        if (phones == 0) return null;
        try
        {
            return Marshal.PtrToStringUTF8(phones);
        }
        finally
        {
            FreeString(phones);
        }
    }

    /// <summary>The current hypothesis (owned by the decoder), or null.</summary>
    public string? Hypothesis(nint decoder)
    {
        var hyp = GetHyp(decoder, out _);
        return hyp == 0 ? null : Marshal.PtrToStringUTF8(hyp);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate nint PsArgs();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate nint CmdLnParseR(nint config, nint definitions, int argc, nint[] argv, int strict);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int CmdLnFreeR(nint config);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate nint PsInit(nint config);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int PsFree(nint decoder);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate nint PsLookupWord(nint decoder, [MarshalAs(UnmanagedType.LPUTF8Str)] string word);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate void CkdFree(nint pointer);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int PsSetJsgfString(nint decoder, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string jsgf);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int PsSetSearch(nint decoder, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int PsStartUtt(nint decoder);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int PsProcessRaw(nint decoder, short[] data, nuint samples, int noSearch, int fullUtterance);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int PsEndUtt(nint decoder);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate nint PsGetHyp(nint decoder, out int bestScore);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate void ErrSetLogfp(nint file);
}
