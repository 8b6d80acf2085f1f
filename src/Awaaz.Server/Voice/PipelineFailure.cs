using Awaaz.Server.Voice.Cloud;

namespace Awaaz.Server.Voice;

/// <summary>
/// A provider of the voice pipeline failed on a live call. <see cref="Exception.Message"/> is the call's
/// <c>error_message</c>: the provider, its role and what went wrong, e.g. <c>deepgram STT: authentication failed (HTTP 401)</c>.
/// </summary>
public sealed class PipelineFailure(string role, string provider, Exception cause) : Exception(Describe(role, provider, cause), cause)
{
    public const string Stt = "STT";
    public const string Llm = "LLM";
    public const string Tts = "TTS";

    /// <summary><see cref="Stt"/>, <see cref="Llm"/> or <see cref="Tts"/>.</summary>
    public string Role { get; } = role;

    /// <summary>
    /// The stream broke or stalled (<see cref="CloudProviderErrorKind.Interrupted"/>, <see cref="CloudProviderErrorKind.Timeout"/>):
    /// worth one more try by the runtime. Refused keys and requests never are; rate limits and outages were already
    /// retried by the client.
    /// </summary>
    public bool Transient => cause is CloudProviderException { Kind: CloudProviderErrorKind.Interrupted or CloudProviderErrorKind.Timeout };

    public static bool IsTransient(Exception e) => e is CloudProviderException { Kind: CloudProviderErrorKind.Interrupted or CloudProviderErrorKind.Timeout };

    private static string Describe(string role, string provider, Exception cause) => cause switch
    {
        // Refused keys, rate limits and outages say enough with the status; the rest add the client's explanation.
        CloudProviderException e => $"{e.Provider} {role}: {What(e)}{Code(e.StatusCode)}"
                                     + (e.Kind is CloudProviderErrorKind.Authentication or CloudProviderErrorKind.RateLimited or CloudProviderErrorKind.Unavailable ? "" : Detail(e)),
        VoiceProviderException or Offline.EspeakException or Offline.PocketsphinxException => $"{provider} {role}: {Shorten(cause.Message)}",
        _ => $"{provider} {role}: failed ({cause.GetType().Name})",
    };

    private static string What(CloudProviderException e) => e.Kind switch
    {
        CloudProviderErrorKind.Authentication => "authentication failed",
        CloudProviderErrorKind.RateLimited => "rate limited",
        CloudProviderErrorKind.Rejected => "request rejected",
        CloudProviderErrorKind.Unavailable => "unavailable",
        CloudProviderErrorKind.Timeout => "timed out",
        _ => "stream interrupted",
    };

    /// <summary>HTTP statuses, or WebSocket close codes (1000 and up).</summary>
    private static string Code(int? status) => status switch
    {
        null => "",
        >= 1000 => $" (close {status})",
        _ => $" (HTTP {status})",
    };

    /// <summary>The client's own explanation, without the provider prefix it starts with.</summary>
    private static string Detail(CloudProviderException e)
    {
        var prefix = e.Provider + ": ";
        var message = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
        return message.Length == 0 ? "" : ": " + Shorten(message);
    }

    private static string Shorten(string text) => text.Length > 240 ? text[..240] + "…" : text;
}
