using Awaaz.Server.Agents;
using Awaaz.Server.Api;
using Awaaz.Server.Functions;
using Awaaz.Server.Outbound;
using Awaaz.Server.Operations;
using Awaaz.Server.Partners;
using Awaaz.Server.Storage;
using Awaaz.Server.Telephony;
using Awaaz.Server.Telephony.Smartflo;
using Awaaz.Server.Calls;
using Awaaz.Server.Media;
using Awaaz.Server.Voice;
using Awaaz.Server.Voice.Vad;
using Awaaz.Server.Voice.Offline;

namespace Awaaz.Server;

/// <summary>Composition of the server: services, middleware order and routes.</summary>
public static class AwaazApp
{
    /// <summary>Services shared by the web server and the admin CLI.</summary>
    public static IServiceCollection AddAwaazCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AwaazOptions>().Bind(configuration.GetSection(AwaazOptions.Section)).Configure(o =>
        {
            o.PublicUrl ??= configuration["PUBLIC_URL"] ?? configuration["NEXT_PUBLIC_APP_URL"];
            o.AdminToken ??= configuration["AWAAZ_ADMIN_TOKEN"];
        });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new Database(configuration.GetConnectionString("Awaaz") ?? AwaazOptions.DefaultConnectionString));
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<PartnerStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<AgentStore>();
        services.AddSingleton<PipelineProviders>();
        services.AddSingleton<Voice.Cloud.CloudProviders>();
        services.AddSingleton<VoiceCatalog>();
        services.AddVoiceActivityDetection();
        services.AddSingleton<PipelineResolver>();
        services.AddSingleton<AgentRules>();
        services.AddSingleton<ServerMode>();
        services.AddAwaazDataProtection(configuration);
        services.AddSingleton<ConnectionStore>();
        services.AddOptions<OutboundOptions>().Configure(o => OutboundOptions.Configure(o, configuration));
        services.AddSingleton<OutboundClient>();
        services.AddSingleton<FunctionSecrets>();
        services.AddSingleton<FunctionInput>();
        services.AddSingleton<FunctionRunner>();
        services.AddSingleton<PhoneNumberStore>();
        services.AddSingleton<SmartfloGateway>();
        services.AddSingleton<PhoneNumberSync>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<ConnectionService>();
        services.AddSingleton<SelfHostedBootstrap>();
        services.AddSingleton<CallEvents>();
        services.AddSingleton<CallStore>();
        services.AddSingleton<StreamTokens>();
        services.AddSingleton<CallCorrelator>();
        services.AddSingleton<LiveCalls>();
        services.AddSingleton<ILiveTranscripts, InProcessLiveTranscripts>();
        services.AddSingleton<CallControl>();
        services.AddSingleton<SmartfloSecrets>();
        services.AddSingleton<LifecycleEvents>();
        return services;
    }

    /// <param name="addServices">Registers extra services after the server's own (benchmark hosts add test doubles of the voice providers).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? addServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
            builder.WebHost.UseUrls(AwaazOptions.DefaultUrl);

        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        });
        // ASP.NET Core's two lines per request cost ~12 % CPU at 1 000 req/s (docs/benchmarks.md); Logging:LogLevel:Microsoft.AspNetCore=Information brings them back.
        if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var services = builder.Services;
        services.AddHostedService<StartupTasks>(); // first: migrations must run before any other hosted service touches the database
        services.AddAwaazCore(builder.Configuration);
        services.AddSingleton<ReadinessState>();
        services.AddSingleton<DialWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<DialWorker>());
        services.AddSingleton<LifecycleProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<LifecycleProcessor>());
        services.AddSingleton<CallService>();
        services.AddSingleton<GreetingAudio>();
        services.AddSingleton<EchoAgent>();
        services.AddSingleton<ConversationEngines>();
        services.AddSingleton(_ => builder.Configuration.GetSection("Awaaz:Espeak").Get<EspeakSettings>() ?? new EspeakSettings());
        services.AddSingleton(_ => builder.Configuration.GetSection("Awaaz:Pocketsphinx").Get<PocketsphinxSettings>() ?? new PocketsphinxSettings());
        services.AddSingleton<ITextToSpeech, EspeakTextToSpeech>();
        services.AddSingleton<ISpeechToText, PocketsphinxSpeechToText>();
        services.AddSingleton<IChatClientProvider, ScriptedChatProvider>();
        services.AddSingleton<VoiceProviderRegistry>();
        services.AddSingleton<VoiceMetrics>();
        services.AddSingleton<VoiceAgent>();
        services.AddSingleton<StreamServices>();
        services.AddOptions<WatchdogOptions>().Bind(builder.Configuration.GetSection("Awaaz:Watchdog"));
        services.AddSingleton<CallWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<CallWatchdog>());
        services.AddSingleton<PartnerRateLimiter>();
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Awaaz Partner API";
            doc.Info.Version = "v2";
            doc.Info.Description = "AI voice agents on Tata Smartflo. Authenticate with `Authorization: Bearer rg_live_…`.";
            return Task.CompletedTask;
        }));

        addServices?.Invoke(services);
        var app = builder.Build();
        Configure(app);
        return app;
    }

    private static void Configure(WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<ErrorEnvelopeMiddleware>();
        app.UseMiddleware<PartnerAuthenticationMiddleware>();
        app.UseWebSockets();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.SwaggerEndpoint("/openapi/v1.json", "Awaaz Partner API v2");
            o.DocumentTitle = "Awaaz API";
        });
        app.MapHealthEndpoints();

        var rateLimiter = app.Services.GetRequiredService<PartnerRateLimiter>();
        var api = app.MapGroup("/api/v2").AddEndpointFilter(rateLimiter.FilterAsync);
        api.MapConfigEndpoints();
        api.MapAgentEndpoints();
        api.MapTelephonyEndpoints();
        api.MapCallEndpoints();
        app.MapResolver();
        app.MapLifecycle();
        app.MapMediaStream();

        app.MapAdminEndpoints();
        app.MapFallback((HttpContext context) =>
            throw new ApiException(404, ErrorCodes.NotFound, "Route not found", new { path = context.Request.Path.Value }));
    }
}
