using Awaaz.Server.Tests.Voice.Vad;
using Awaaz.Server.Voice;

namespace Awaaz.Server.Tests.Voice;

/// <summary>Person or answering machine, from real speech (espeak-ng through µ-law) and Silero VAD, window by window.</summary>
public sealed class VoicemailDetectorTests(SileroFixture fixture) : IClassFixture<SileroFixture>
{
    private const string Greeting = "Hi, you have reached Asha Verma. I am not able to take your call right now. Please leave your name and number after the tone and I will call you back.";

    private (VoicemailDetector Detector, int DecidedAtMs) Run(short[] audio, params (int AtMs, string Text)[] transcripts)
    {
        var detector = new VoicemailDetector();
        var window = fixture.Vad.WindowSamples;
        var probabilities = TestAudio.Probabilities(fixture.Vad, audio);
        var decidedAt = -1;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var atMs = (i + 1) * window * 1000 / 8000;
            detector.OnWindow(audio.AsSpan(i * window, window), probabilities[i] >= 0.5f);
            foreach (var (_, text) in transcripts.Where(t => t.AtMs > atMs - window * 1000 / 8000 && t.AtMs <= atMs)) detector.OnTranscript(text);
            if (decidedAt < 0 && detector.Verdict != AnswerVerdict.Undecided) decidedAt = atMs;
        }
        return (detector, decidedAt);
    }

    [Fact]
    public void A_long_recorded_greeting_is_a_machine_before_it_ends()
    {
        var greeting = TestAudio.ThroughMuLaw(TestAudio.Speech(Greeting));
        var (detector, decidedAt) = Run(TestAudio.Concat(TestAudio.Silence(0.4), greeting, TestAudio.Silence(1)));
        detector.Verdict.ShouldBe(AnswerVerdict.Machine);
        detector.Evidence.ShouldBe("long_greeting");
        decidedAt.ShouldBeLessThan(400 + greeting.Length / 8, "decided while the greeting was still playing");
        detector.BeepEnded.ShouldBeFalse();
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(440)]
    [InlineData(1400)]
    public void A_beep_is_a_machine_and_its_end_is_when_to_speak(int hz)
    {
        var beep = TestAudio.ThroughMuLaw(TestAudio.Tone(0.6, hz, -12));
        var (detector, _) = Run(TestAudio.Concat(TestAudio.Silence(0.5), beep, TestAudio.Silence(0.5)));
        detector.Verdict.ShouldBe(AnswerVerdict.Machine);
        detector.Evidence.ShouldBe("beep");
        detector.BeepEnded.ShouldBeTrue();
    }

    [Fact]
    public void A_beep_in_noise_is_still_a_beep_but_noise_alone_is_not()
    {
        var noisyBeep = TestAudio.Mix(TestAudio.Tone(0.6, 1000, -12), TestAudio.Noise(0.6, -40));
        Run(TestAudio.ThroughMuLaw(TestAudio.Concat(TestAudio.Silence(0.3), noisyBeep, TestAudio.Silence(0.5)))).Detector.Evidence.ShouldBe("beep");
        Run(TestAudio.ThroughMuLaw(TestAudio.Noise(3, -30))).Detector.Verdict.ShouldBe(AnswerVerdict.Undecided);
    }

    [Fact]
    public void A_short_hello_then_waiting_is_a_person()
    {
        var hello = TestAudio.ThroughMuLaw(TestAudio.Speech("Hello?"));
        var (detector, _) = Run(TestAudio.Concat(TestAudio.Silence(0.5), hello, TestAudio.Silence(3)));
        detector.Verdict.ShouldBe(AnswerVerdict.Human);
        detector.Evidence.ShouldBe("short_hello");
    }

    [Fact]
    public void Sustained_speech_is_never_taken_for_a_beep()
    {
        var speech = TestAudio.ThroughMuLaw(TestAudio.Speech("Hello, yes, this is Ravi speaking. Who is calling please?"));
        var (detector, _) = Run(TestAudio.Concat(TestAudio.Silence(0.3), speech, TestAudio.Silence(2)));
        detector.Evidence.ShouldNotBe("beep");
        detector.BeepEnded.ShouldBeFalse();
    }

    [Fact]
    public void A_short_greeting_with_voicemail_words_is_a_machine_even_after_looking_like_a_person()
    {
        var line = TestAudio.ThroughMuLaw(TestAudio.Speech("The number is busy."));
        var audio = TestAudio.Concat(TestAudio.Silence(0.3), line, TestAudio.Silence(3));
        var (detector, _) = Run(audio, (3000, "the person you are calling is busy please call later"));
        detector.Verdict.ShouldBe(AnswerVerdict.Machine);
        detector.Evidence.ShouldBe("greeting_words");

        var hindi = new VoicemailDetector();
        hindi.OnTranscript("आप जिस नंबर पर कॉल कर रहे हैं वह अभी उपलब्ध नहीं है").ShouldBe(AnswerVerdict.Machine);
    }

    [Fact]
    public void Words_after_the_decision_window_and_keypresses_do_not_make_a_machine()
    {
        var hello = TestAudio.ThroughMuLaw(TestAudio.Speech("Hello?"));
        var (late, _) = Run(TestAudio.Concat(TestAudio.Silence(0.5), hello, TestAudio.Silence(9)), (9500, "please leave a message"));
        late.Verdict.ShouldBe(AnswerVerdict.Human);
        late.IsFinal.ShouldBeTrue();

        var keys = new VoicemailDetector();
        keys.OnDtmf().ShouldBe(AnswerVerdict.Human);
        keys.OnTranscript("leave a message after the tone").ShouldBe(AnswerVerdict.Human);
        keys.IsFinal.ShouldBeTrue();
    }
}
