using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Cloud;

namespace Awaaz.Server.Tests.Voice;

/// <summary>The call's <c>error_message</c> for each kind of provider failure.</summary>
public sealed class PipelineFailureTests
{
    [Theory]
    [InlineData(CloudProviderErrorKind.Authentication, 401, "the API key was rejected (HTTP 401 on the WebSocket upgrade); check the configured key", "deepgram STT: authentication failed (HTTP 401)", false)]
    [InlineData(CloudProviderErrorKind.Authentication, 4001, "Sarvam refused the API key (close 4001)", "deepgram STT: authentication failed (close 4001)", false)]
    [InlineData(CloudProviderErrorKind.Rejected, null, "ElevenLabs closed the stream: quota exceeded", "deepgram STT: request rejected: ElevenLabs closed the stream: quota exceeded", false)]
    [InlineData(CloudProviderErrorKind.RateLimited, 429, "rate limited (HTTP 429)", "deepgram STT: rate limited (HTTP 429)", false)]
    [InlineData(CloudProviderErrorKind.Unavailable, 503, "HTTP 503", "deepgram STT: unavailable (HTTP 503)", false)]
    [InlineData(CloudProviderErrorKind.Timeout, null, "no audio within 10 s", "deepgram STT: timed out: no audio within 10 s", true)]
    [InlineData(CloudProviderErrorKind.Interrupted, null, "the stream dropped and 4 reconnects failed", "deepgram STT: stream interrupted: the stream dropped and 4 reconnects failed", true)]
    public void Names_provider_role_and_kind(CloudProviderErrorKind kind, int? status, string clientMessage, string expected, bool transient)
    {
        var failure = new PipelineFailure(PipelineFailure.Stt, "ignored", new CloudProviderException("deepgram", kind, clientMessage) { StatusCode = status });
        (failure.Message, failure.Transient).ShouldBe((expected, transient));
    }

    [Fact]
    public void Other_failures_name_the_pipeline_provider_without_internals()
    {
        new PipelineFailure(PipelineFailure.Llm, "scripted", new VoiceProviderException("scripted dialogue: no steps")).Message
            .ShouldBe("scripted LLM: scripted dialogue: no steps");
        new PipelineFailure(PipelineFailure.Tts, "espeak", new InvalidOperationException("secret internals")).Message
            .ShouldBe("espeak TTS: failed (InvalidOperationException)");
    }
}
