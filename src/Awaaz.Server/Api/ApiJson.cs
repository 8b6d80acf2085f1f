using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Awaaz.Server.Api;

/// <summary>JSON conventions of the partner API: snake_case, nulls written, ISO-8601 UTC with milliseconds.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // Bodies are read by RequestFields, which takes numbers only as JSON numbers; say so in OpenAPI too.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new UtcTimestampConverter());
        options.Converters.Add(new NullableUtcTimestampConverter());
        return options;
    }

    public static string Timestamp(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);
        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Timestamp(value));
    }

    private sealed class NullableUtcTimestampConverter : JsonConverter<DateTimeOffset?>
    {
        public override bool HandleNull => true;
        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);
        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is { } v) writer.WriteStringValue(Timestamp(v));
            else writer.WriteNullValue();
        }
    }
}

/// <summary>The success envelope <c>{success:true,data}</c>.</summary>
public static class Envelope
{
    public static IResult Ok(object data) => Results.Json(new { success = true, data }, ApiJson.Options);
    public static IResult Created(object data) => Results.Json(new { success = true, data }, ApiJson.Options, statusCode: 201);
    public static IResult Accepted(object data) => Results.Json(new { success = true, data }, ApiJson.Options, statusCode: 202);
    public static IResult Message(string message) => Ok(new { message });
}
