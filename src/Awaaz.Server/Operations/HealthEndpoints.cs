using Awaaz.Server.Storage;

namespace Awaaz.Server.Operations;

public static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" })).WithTags("Operations").WithSummary("Liveness");
        app.MapGet("/readyz", Ready).WithTags("Operations").WithSummary("Readiness: database reachable and migrations applied");
    }

    private static async Task<IResult> Ready(MigrationRunner migrations, Database database, ReadinessState state, CancellationToken ct)
    {
        var checks = new Dictionary<string, string>();
        var ready = true;
        try
        {
            var upToDate = await migrations.IsUpToDateAsync(ct).WaitAsync(TimeSpan.FromSeconds(3), ct);
            checks["database"] = "ok";
            checks["migrations"] = upToDate ? "ok" : "pending";
            ready &= upToDate;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            checks["database"] = $"unreachable ({ex.GetType().Name})";
            ready = false;
        }
        if (state.Draining) { checks["node"] = "draining"; ready = false; }
        foreach (var (name, detail) in state.Details) checks[name] = detail;
        return Results.Json(new { status = ready ? "ready" : "not_ready", database = database.Dialect.ToString().ToLowerInvariant(), checks },
            statusCode: ready ? 200 : 503);
    }
}

/// <summary>Node-level readiness facts other features report (draining, fallbacks in use).</summary>
public sealed class ReadinessState
{
    public volatile bool Draining;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _details = new();
    public IEnumerable<KeyValuePair<string, string>> Details => _details;
    public void Report(string name, string detail) => _details[name] = detail;
}
