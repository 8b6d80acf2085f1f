namespace Awaaz.Server.Api;

/// <summary>Error codes of the partner contract (partner-api.md §4).</summary>
public static class ErrorCodes
{
    public const string ValidationError = "VALIDATION_ERROR";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Forbidden = "FORBIDDEN";
    public const string ProviderNotAllowed = "PROVIDER_NOT_ALLOWED";
    public const string ProviderNotConfigured = "PROVIDER_NOT_CONFIGURED";
    public const string NotFound = "NOT_FOUND";
    public const string ConnectionAmbiguous = "CONNECTION_AMBIGUOUS";
    public const string Conflict = "CONFLICT";
    public const string RateLimited = "RATE_LIMITED";
    public const string ConcurrencyLimitReached = "CONCURRENCY_LIMIT_REACHED";
    public const string InternalError = "INTERNAL_ERROR";
    public const string ProviderCredentialsRejected = "PROVIDER_CREDENTIALS_REJECTED";
    public const string ProviderError = "PROVIDER_ERROR";
    public const string Unavailable = "UNAVAILABLE";
}

public sealed record FieldError(string Field, string Message);

/// <summary>
/// A failure the API reports to the caller in the error envelope. Thrown from handlers and
/// turned into <c>{success:false,error:{code,message,details}}</c> by <see cref="ErrorEnvelopeMiddleware"/>.
/// </summary>
public sealed class ApiException(int status, string code, string message, object? details = null, int? retryAfterSeconds = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public object? Details { get; } = details;
    public int? RetryAfterSeconds { get; } = retryAfterSeconds;

    public static ApiException Validation(IReadOnlyList<FieldError> fields) =>
        new(400, ErrorCodes.ValidationError,
            fields.Count == 1 ? $"{fields[0].Field} {fields[0].Message}" : $"{fields.Count} fields are invalid: {string.Join(", ", fields.Select(f => f.Field))}",
            new { fields = fields.Select(f => new { field = f.Field, message = f.Message }).ToArray() });

    public static ApiException Validation(string field, string message) => Validation([new FieldError(field, message)]);

    public static ApiException NotFound(string resource, string? id) =>
        new(404, ErrorCodes.NotFound, $"{char.ToUpperInvariant(resource[0])}{resource[1..].Replace('_', ' ')} not found", new { resource, id });

    public static ApiException Conflict(string reason, string message) =>
        new(409, ErrorCodes.Conflict, message, new { reason });
}
