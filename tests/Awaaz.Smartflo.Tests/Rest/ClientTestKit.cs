using System.Net;
using System.Text;
using Awaaz.Smartflo.Rest;
using Awaaz.Smartflo.Tests.Support;

namespace Awaaz.Smartflo.Tests.Rest;

/// <summary>Builds clients against a <see cref="StubHandler"/> and makes JWT-shaped tokens.</summary>
internal static class ClientTestKit
{
    public const string Email = "ops@example.com";
    public const string Password = "panel-password-do-not-log";
    public const string ApiKey = "3f2b8c1e-aaaa-bbbb-cccc-0123456789ab";

    public static SmartfloClient Client(StubHandler handler, Func<SmartfloClientOptions, SmartfloClientOptions>? configure = null,
        TimeProvider? time = null, CapturingLogger? logger = null)
    {
        var options = new SmartfloClientOptions
        {
            BaseUrl = "http://smartflo.test/v1/",
            AllowInsecureHttp = true,
            Email = Email,
            Password = Password,
            ApiKey = ApiKey,
            MaxRequestsPerSecond = 1000,
        };
        return new SmartfloClient(new HttpClient(handler), configure?.Invoke(options) ?? options, logger, time);
    }

    /// <summary>A JWT-shaped token whose payload names <paramref name="subject"/> and, optionally, <c>exp</c>.</summary>
    public static string Jwt(string subject, DateTimeOffset? exp = null)
    {
        static string Segment(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var payload = exp is null ? $$"""{"sub":"{{subject}}"}""" : $$"""{"sub":"{{subject}}","exp":{{exp.Value.ToUnixTimeSeconds()}}}""";
        return $"{Segment("""{"typ":"JWT","alg":"HS256"}""")}.{Segment(payload)}.c2lnbmF0dXJlLXNlY3JldA";
    }

    public static HttpResponseMessage LoginOk(string token, int? expiresIn = 3600, int daysLeft = 30) =>
        StubHandler.Json(HttpStatusCode.OK, expiresIn is null
            ? $$"""{"success":true,"access_token":"{{token}}","token_type":"bearer","number_of_days_left":{{daysLeft}}}"""
            : $$"""{"success":true,"access_token":"{{token}}","token_type":"bearer","expires_in":"{{expiresIn}}","number_of_days_left":{{daysLeft}}}""");

    public static HttpResponseMessage EmptyList() => StubHandler.Json(HttpStatusCode.OK, "[]");

    /// <summary>Moves a manual clock forward in small steps until <paramref name="task"/> completes (for waits inside the client).</summary>
    public static async Task<T> Pump<T>(Task<T> task, ManualTimeProvider time, TimeSpan step)
    {
        for (var i = 0; i < 2000 && !task.IsCompleted; i++)
        {
            await Task.Delay(2);
            time.Advance(step);
        }
        return await task;
    }
}
