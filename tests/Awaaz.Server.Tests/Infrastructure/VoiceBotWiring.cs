using System.Text.Json.Nodes;
using Awaaz.Media;
using Awaaz.Smartflo.Simulator;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Server.Tests.Infrastructure;

/// <summary>Points the simulated Smartflo account's VOICE Bot and panel webhooks at an Awaaz connection, as an operator would in the panel.</summary>
public static class VoiceBotWiring
{
    public static async Task WireAsync(SmartfloSimulator sim, CallScenario s, string? callerAudio = null, WebhookFormat webhookFormat = WebhookFormat.Json)
    {
        var connection = (await (await s.Partner.Client.GetAsync($"/api/v2/telephony/connections/{s.ConnectionId}")).ShouldBeSuccessAsync())["connection"]!;
        var smartflo = connection["smartflo"]!;
        sim.Accounts.Change(SimulatedSmartflo.AccountId, account =>
        {
            account.VoiceBot = new VoiceBotConfig { ResolverUrl = smartflo.Str("resolver_url"), Method = ResolverMethod.Post, CallerAudio = callerAudio };
            account.Webhooks =
            [
                new WebhookConfig { Trigger = WebhookTrigger.Answered, Url = smartflo["webhook_triggers"]![0]!.Str("url"), Format = webhookFormat },
                new WebhookConfig { Trigger = WebhookTrigger.Hangup, Url = smartflo["webhook_triggers"]![1]!.Str("url"), Format = webhookFormat },
            ];
        });
    }

    /// <summary>A caller WAV (8 kHz PCM16): silence, a spoken-level tone burst, then silence — enough for the echo agent to answer.</summary>
    public static string CallerWav(double speechStartSeconds = 3.5, double speechSeconds = 1.0, double totalSeconds = 8)
    {
        var path = Path.Combine(Path.GetTempPath(), $"awaaz-caller-{Guid.NewGuid():N}.wav");
        var samples = new short[(int)(totalSeconds * 8000)];
        for (var i = (int)(speechStartSeconds * 8000); i < (int)((speechStartSeconds + speechSeconds) * 8000); i++)
            samples[i] = (short)(9000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0));
        using var file = File.Create(path);
        using var writer = new WavWriter(file, 8000, 1);
        writer.Write(samples);
        writer.Complete();
        return path;
    }
}
