using System.Net.Http.Headers;
using Awaaz.Server.Partners;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Awaaz.Server.Tests.Infrastructure;

/// <summary>
/// An in-memory Awaaz server on a fresh database of the backend under test, with every log line captured.
/// Use as a class fixture; <see cref="CreatePartnerAsync"/> gives each test its own partner and key.
/// </summary>
public class AwaazFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public LogCapture Logs { get; } = new();
    private readonly Dictionary<string, string?> _settings = new();

    /// <summary>Extra configuration, set before the first request.</summary>
    public AwaazFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Every test server runs on real Kestrel on 127.0.0.1 so the simulator can call its resolver, WebSocket and webhooks.</summary>
    public AwaazFactory() => UseKestrel(0);

    /// <summary>The server's real address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl => CreateClient().BaseAddress!.ToString().TrimEnd('/');

    public virtual async ValueTask InitializeAsync() => Database = await TestDatabase.CreateAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Awaaz"] = Database.ConnectionString,
            ["Awaaz:CreateDefaultPartner"] = "false",
            ["AWAAZ_ALLOW_INSECURE_PROVIDER_URLS"] = "true",
            ["urls"] = "http://127.0.0.1:0",
            // Silero VAD assets fetched by scripts/assets.sh into the repository's ./assets.
            ["Awaaz:Vad:OnnxRuntimePath"] = Path.Combine(RepositoryRoot, "assets", "libonnxruntime.so"),
            ["Awaaz:Vad:SileroModelPath"] = Path.Combine(RepositoryRoot, "assets", "silero_vad.onnx"),
            ["Awaaz:RecordingsDirectory"] = Path.Combine(Path.GetTempPath(), "awaaz-tests", "recordings"),
        };
        foreach (var (key, value) in _settings) settings[key] = value; // With(…) wins over the defaults
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The repository checkout (the directory holding Awaaz.slnx).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Awaaz.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Awaaz.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Creates a partner (name made unique) with one API key, and a client that sends it.</summary>
    public async Task<TestPartner> CreatePartnerAsync(string name = "acme", Func<Partner, Partner>? configure = null)
    {
        var partners = Service<PartnerStore>();
        var partner = partners.NewPartner($"{name}-{Guid.NewGuid():N}"[..Math.Min(40, name.Length + 33)], name);
        if (configure is not null) partner = configure(partner);
        partner = await partners.CreateAsync(partner);
        var issued = await Service<ApiKeyStore>().IssueAsync(partner.Id, "test");
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.Key);
        return new TestPartner(partner, issued.Key, issued.Info.Id, client);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed record TestPartner(Partner Partner, string ApiKey, string ApiKeyId, HttpClient Client);
