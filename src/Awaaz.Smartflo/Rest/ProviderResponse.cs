using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Awaaz.Smartflo.Rest;

/// <summary>
/// One Smartflo HTTP response read the way spec §3 prescribes: JSON whatever the content type, empty or non-JSON
/// bodies as <c>{}</c> (keeping a text excerpt), the success rule, and the error-message order.
/// </summary>
internal sealed class ProviderResponse
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private ProviderResponse(int status, JsonElement body, string? text, bool isSuccess, string message, TimeSpan? retryAfter, string redactedBody)
    {
        Status = status;
        Body = body;
        NonJsonText = text;
        IsSuccess = isSuccess;
        Message = message;
        RetryAfter = retryAfter;
        RedactedBody = redactedBody;
    }

    /// <summary>HTTP status code.</summary>
    public int Status { get; }

    /// <summary>The JSON body (object or array); <c>{}</c> when the body was empty, scalar or not JSON.</summary>
    public JsonElement Body { get; }

    /// <summary>First 2 KB of a non-JSON body (HTML gateway pages), else null.</summary>
    public string? NonJsonText { get; }

    /// <summary>HTTP 2xx and a body that is an array or an object whose <c>success</c> and <c>ok</c> are not false-like.</summary>
    public bool IsSuccess { get; }

    /// <summary>Smartflo's message per spec §3, or <c>HTTP &lt;status&gt;</c>.</summary>
    public string Message { get; }

    /// <summary>Retry-After header (seconds or date) or body <c>retry_after</c>; null when neither is present.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Redacted body excerpt (≤ 2 KB) for errors and logs.</summary>
    public string RedactedBody { get; }

    /// <summary>Reads a response. Never throws.</summary>
    public static ProviderResponse Read(int status, ReadOnlySpan<byte> body, RetryConditionHeaderValue? retryAfterHeader, DateTimeOffset now)
    {
        var json = EmptyObject;
        string? text = null;
        if (!body.IsEmpty)
        {
            if (LooseJson.TryParse(body.ToArray(), out var parsed) && parsed.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                json = parsed;
            else
                text = Excerpt(body);
        }

        var isSuccess = status is >= 200 and <= 299
                        && (json.ValueKind == JsonValueKind.Array
                            || (!IsFalseLike(LooseJson.Property(json, "success")) && !IsFalseLike(LooseJson.Property(json, "ok"))));
        return new ProviderResponse(
            status, json, text, isSuccess,
            ExtractMessage(json, text, status),
            ReadRetryAfter(retryAfterHeader, json, now),
            SmartfloRedaction.RedactBody(body));
    }

    /// <summary>The error this response represents for <paramref name="endpoint"/> (spec §6.1 shapes E1–E7).</summary>
    public SmartfloException ToException(SmartfloEndpoint endpoint)
    {
        var (kind, credentialFailure) = Status switch
        {
            429 => (SmartfloErrorKind.RateLimited, false),
            >= 500 => (SmartfloErrorKind.ServerError, false),
            _ when endpoint == SmartfloEndpoint.Login => (SmartfloErrorKind.Auth, true),
            401 => (SmartfloErrorKind.Auth, true),
            403 => (SmartfloErrorKind.Auth, false),
            _ => (SmartfloErrorKind.Rejected, false),
        };
        return new SmartfloException(endpoint, kind, Status, Message, RedactedBody, RetryAfter, isCredentialFailure: credentialFailure);
    }

    /// <summary><c>false</c>, <c>"false"</c>, <c>0</c>, <c>"0"</c> (spec §3).</summary>
    public static bool IsFalseLike(JsonElement? value)
    {
        if (value is not { } v) return false;
        return v.ValueKind switch
        {
            JsonValueKind.False => true,
            JsonValueKind.Number => v.TryGetDouble(out var d) && d == 0,
            JsonValueKind.String => v.GetString()?.Trim().ToLowerInvariant() is "false" or "0",
            _ => false,
        };
    }

    private static string ExtractMessage(JsonElement json, string? text, int status)
    {
        if (json.ValueKind == JsonValueKind.Object)
        {
            if (NonEmptyString(LooseJson.Property(json, "message")) is { } message) return message;
            var error = LooseJson.Property(json, "error");
            if (NonEmptyString(error) is { } errorText) return errorText;
            if (error is { ValueKind: JsonValueKind.Object } errorObject && NonEmptyString(LooseJson.Property(errorObject, "message")) is { } nested)
                return nested;
            if (FirstString(LooseJson.Property(json, "errors")) is { } first) return first;
        }
        if (!string.IsNullOrWhiteSpace(text))
        {
            var trimmed = text.Trim();
            return trimmed.Length <= 200 ? trimmed : trimmed[..200];
        }
        return $"HTTP {status}";
    }

    private static string? FirstString(JsonElement? errors)
    {
        if (errors is not { } e) return null;
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return NonEmptyString(e);
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                    if (FirstString(item) is { } s) return s;
                return null;
            case JsonValueKind.Object:
                foreach (var property in e.EnumerateObject())
                    if (FirstString(property.Value) is { } s) return s;
                return null;
            default:
                return null;
        }
    }

    private static string? NonEmptyString(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.String } v && !string.IsNullOrWhiteSpace(v.GetString()) ? v.GetString()!.Trim() : null;

    private static TimeSpan? ReadRetryAfter(RetryConditionHeaderValue? header, JsonElement json, DateTimeOffset now)
    {
        if (header?.Delta is { } delta && delta >= TimeSpan.Zero) return delta;
        if (header?.Date is { } date) return date > now ? date - now : TimeSpan.Zero;
        if (json.ValueKind == JsonValueKind.Object && LooseJson.Double(LooseJson.Property(json, "retry_after")) is { } seconds
            && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
            return TimeSpan.FromSeconds(seconds);
        return null;
    }

    private static string Excerpt(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, SmartfloRedaction.MaxBodyChars * 4)]);
        return text.Length <= SmartfloRedaction.MaxBodyChars ? text : text[..SmartfloRedaction.MaxBodyChars];
    }
}
