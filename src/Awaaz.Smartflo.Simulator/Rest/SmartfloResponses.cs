using Awaaz.Smartflo.Simulator.Configuration;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Awaaz.Smartflo.Simulator.Rest;

/// <summary>The response shapes of spec §6.1 (E1–E7).</summary>
internal static class SmartfloResponses
{
    public static IResult Json(JsonNode body, int status = StatusCodes.Status200OK) =>
        Results.Text(body.ToJsonString(SimJson.Wire), "application/json", Encoding.UTF8, status);

    /// <summary>E1/E2: `{"success":false,"message":...}`.</summary>
    public static IResult Failure(int status, string message) =>
        Json(new JsonObject { ["success"] = false, ["message"] = message }, status);

    public static IResult Success(string message, JsonObject? extra = null)
    {
        var body = new JsonObject { ["success"] = true, ["message"] = message };
        foreach (var (key, value) in extra ?? [])
        {
            body[key] = value?.DeepClone();
        }

        return Json(body);
    }

    /// <summary>E5: 429 with body `retry_after` and (unless switched off) a `Retry-After` header.</summary>
    public static IResult TooManyRequests(int retryAfterSeconds, bool withHeader) =>
        new RateLimitedResult(retryAfterSeconds, withHeader);

    /// <summary>What a forced fault answers: E1/E3 for 200, E2/E4 for 4xx, E5 for 429, E6 HTML or empty for 5xx.</summary>
    public static IResult Forced(int status, bool okFalse, int retryAfterSeconds, bool retryAfterHeader) => status switch
    {
        200 when okFalse => Json(new JsonObject { ["ok"] = false, ["message"] = "Request could not be processed" }),
        200 => Failure(200, "Request could not be processed"),
        401 => Failure(401, "Token has expired"),
        403 => Failure(403, "This action is unauthorized."),
        404 => Failure(404, "Not Found"),
        422 => Json(new JsonObject
        {
            ["message"] = "The given data was invalid.",
            ["errors"] = new JsonObject { ["caller_id"] = new JsonArray("The selected caller id is invalid.") },
        }, 422),
        429 => TooManyRequests(retryAfterSeconds, retryAfterHeader),
        503 => Results.StatusCode(503),
        >= 500 => Results.Text(NginxPage(status), "text/html", Encoding.UTF8, status),
        _ => Failure(status, "Bad Request"),
    };

    private static string NginxPage(int status)
    {
        var title = status switch
        {
            502 => "502 Bad Gateway",
            504 => "504 Gateway Time-out",
            _ => $"{status} Internal Server Error",
        };
        return $"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    }

    private sealed class RateLimitedResult(int retryAfterSeconds, bool withHeader) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (withHeader)
            {
                httpContext.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Json(new JsonObject { ["message"] = "Too Many Attempts.", ["retry_after"] = retryAfterSeconds }, 429)
                .ExecuteAsync(httpContext);
        }
    }
}
