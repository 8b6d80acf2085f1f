using Awaaz.Smartflo.Simulator.Caller;

namespace Awaaz.Smartflo.Simulator.Rest;

/// <summary>WAV files of G.711 µ-law silence (0xFF), 8000 Hz mono.</summary>
internal static class SilentWav
{
    public static byte[] MuLaw(int seconds)
    {
        var silence = new byte[Math.Clamp(seconds, 0, 3600) * CallerAudio.SampleRate];
        silence.AsSpan().Fill(Awaaz.Media.MuLaw.Silence);
        return MuLawWav.Write(silence);
    }
}
