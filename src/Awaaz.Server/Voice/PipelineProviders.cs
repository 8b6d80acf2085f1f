namespace Awaaz.Server.Voice;

/// <summary>
/// Provider names this server accepts in an agent's <c>pipeline</c> (partner-api.md §9.2) and lists in
/// <c>GET /config</c>. The offline providers are always present; a cloud provider is added when its
/// API key is configured.
/// </summary>
public sealed class PipelineProviders
{
    public IReadOnlyList<string> Stt { get; }
    public IReadOnlyList<string> Llm { get; }
    public IReadOnlyList<string> Tts { get; }

    public string DefaultStt => Stt[0];
    public string DefaultLlm => Llm[0];
    public string DefaultTts => Tts[0];

    public PipelineProviders(IConfiguration configuration)
    {
        bool Has(string key) => !string.IsNullOrWhiteSpace(configuration[key]);
        var stt = new List<string>();
        if (Has("DEEPGRAM_API_KEY")) stt.Add("deepgram");
        if (Has("SARVAM_API_KEY")) stt.Add("sarvam");
        stt.Add("pocketsphinx");
        var llm = new List<string>();
        if (Has("OPENAI_API_KEY")) llm.Add("openai");
        llm.Add("scripted");
        var tts = new List<string>();
        if (Has("CARTESIA_API_KEY")) tts.Add("cartesia");
        if (Has("ELEVENLABS_API_KEY")) tts.Add("elevenlabs");
        if (Has("SARVAM_API_KEY")) tts.Add("sarvam");
        tts.Add("espeak");
        if (configuration.GetValue<bool>("Awaaz:EnableFakeProviders"))
        {
            stt.Add("fake");
            tts.Add("fake");
        }
        (Stt, Llm, Tts) = (stt, llm, tts);
    }
}
