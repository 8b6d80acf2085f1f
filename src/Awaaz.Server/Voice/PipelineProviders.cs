using Awaaz.Server.Voice.Cloud;

namespace Awaaz.Server.Voice;

/// <summary>
/// Provider names this server accepts in an agent's <c>pipeline</c> (partner-api.md §9.2) and lists in
/// <c>GET /config</c>. The offline providers are always present; a cloud provider is added when its
/// API key is configured (<see cref="CloudProviders.KeyNames"/>), in <see cref="CloudProviders"/>' order.
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
        var stt = CloudProviders.ConfiguredStt(configuration).Append("pocketsphinx").ToList();
        var llm = CloudProviders.ConfiguredLlm(configuration).Append("scripted").ToList();
        var tts = CloudProviders.ConfiguredTts(configuration).Append("espeak").ToList();
        if (configuration.GetValue<bool>("Awaaz:EnableFakeProviders"))
        {
            stt.Add("fake");
            llm.Add("fake");
            tts.Add("fake");
        }
        (Stt, Llm, Tts) = (stt, llm, tts);
    }
}
