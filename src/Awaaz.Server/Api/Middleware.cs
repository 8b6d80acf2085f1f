using System.Diagnostics;
using System.Text.Json;

namespace Awaaz.Server.Api;

/// <summary>
/// Echoes or generates <c>X-Request-Id</c>, opens a logging scope with it, and writes one access-log
/// line per request. Only the path is logged: query strings can carry connection secrets.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string Header = "X-Request-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[Header].ToString();
        var requestId = !string.IsNullOrWhiteSpace(incoming) && incoming.Length <= 128 && incoming.All(c => c is > ' ' and < (char)127)
            ? incoming
            : Guid.NewGuid().ToString("N");
        context.TraceIdentifier = requestId;
        context.Response.Headers[Header] = requestId;

        var started = Stopwatch.GetTimestamp();
        using (logger.BeginScope(new Dictionary<string, object> { ["request_id"] = requestId }))
        {
            try
            {
                await next(context);
            }
            finally
            {
                logger.LogInformation("{Method} {Path} → {Status} in {ElapsedMs:0.0} ms",
                    context.Request.Method, context.Request.Path.Value, context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }
}

/// <summary>
/// Turns <see cref="ApiException"/> into the error envelope, any other exception into 500
/// INTERNAL_ERROR with the request id (never a stack trace), and a 405 into the 404 envelope.
/// </summary>
public sealed class ErrorEnvelopeMiddleware(RequestDelegate next, ILogger<ErrorEnvelopeMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
            if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed && !context.Response.HasStarted)
                await WriteAsync(context, new ApiException(404, ErrorCodes.NotFound, "Route not found"));
        }
        catch (ApiException ex) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, ex);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, ApiException.Validation("body", ex.Message));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            logger.LogError(ex, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path.Value);
            await WriteAsync(context, new ApiException(500, ErrorCodes.InternalError,
                "An unexpected error occurred. Quote the request_id when reporting it.", new { request_id = context.TraceIdentifier }));
        }
    }

    public static async Task WriteAsync(HttpContext context, ApiException error)
    {
        context.Response.Clear();
        context.Response.Headers[RequestIdMiddleware.Header] = context.TraceIdentifier;
        context.Response.StatusCode = error.Status;
        if (error.RetryAfterSeconds is { } retry) context.Response.Headers.RetryAfter = retry.ToString();
        context.Response.ContentType = "application/json; charset=utf-8";
        object body = error.Details is null
            ? new { success = false, error = new { code = error.Code, message = error.Message } }
            : new { success = false, error = new { code = error.Code, message = error.Message, details = error.Details } };
        await JsonSerializer.SerializeAsync(context.Response.Body, body, ApiJson.Options, context.RequestAborted);
    }
}
