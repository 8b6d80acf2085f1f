using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Awaaz.Smartflo;

/// <summary>
/// Produces log-safe forms of secrets and provider bodies (spec §3 "Redaction"): never log <c>password</c>,
/// <c>access_token</c>, <c>api_key</c>, <c>Authorization</c>; at most 2 KB of any body.
/// </summary>
public static class SmartfloRedaction
{
    /// <summary>Longest body excerpt kept in errors and logs.</summary>
    public const int MaxBodyChars = 2048;

    private static readonly string[] SensitiveKeys =
        ["password", "access_token", "api_key", "apikey", "auth_token", "token", "authorization", "secret", "tata_password"];

    /// <summary>A secret reduced to its first and last 4 characters (<c>3f2b****9c1e</c>), or <c>****</c> if short.</summary>
    public static string Mask(string? secret)
    {
        if (string.IsNullOrEmpty(secret)) return "(none)";
        return secret.Length >= 16 ? $"{secret[..4]}****{secret[^4..]}" : "****";
    }

    /// <summary>True for JSON keys whose values must never be logged.</summary>
    public static bool IsSensitiveKey(string key)
    {
        var trimmed = key.Trim();
        foreach (var sensitive in SensitiveKeys)
            if (trimmed.Equals(sensitive, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>
    /// A body excerpt safe to log: JSON bodies with sensitive values replaced by <c>"***"</c>, other text as is;
    /// in both cases cut to <see cref="MaxBodyChars"/> characters.
    /// </summary>
    public static string RedactBody(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return "";
        string text;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var output = new ArrayBufferWriter<byte>(Math.Min(body.Length, 4096));
            using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                CopyRedacted(ref reader, writer);
            text = Encoding.UTF8.GetString(output.WrittenSpan);
        }
        catch (JsonException)
        {
            text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, MaxBodyChars * 4)]);
        }
        catch (InvalidOperationException)
        {
            text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, MaxBodyChars * 4)]);
        }
        return text.Length <= MaxBodyChars ? text : text[..MaxBodyChars];
    }

    private static void CopyRedacted(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        var redactNext = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    var name = reader.GetString() ?? "";
                    writer.WritePropertyName(name);
                    redactNext = IsSensitiveKey(name);
                    continue;
                case JsonTokenType.StartObject or JsonTokenType.StartArray when redactNext:
                    reader.Skip();
                    writer.WriteStringValue("***");
                    break;
                case JsonTokenType.StartObject:
                    writer.WriteStartObject();
                    break;
                case JsonTokenType.EndObject:
                    writer.WriteEndObject();
                    break;
                case JsonTokenType.StartArray:
                    writer.WriteStartArray();
                    break;
                case JsonTokenType.EndArray:
                    writer.WriteEndArray();
                    break;
                case JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False when redactNext:
                    writer.WriteStringValue("***");
                    break;
                case JsonTokenType.String:
                    writer.WriteStringValue(reader.GetString());
                    break;
                case JsonTokenType.Number:
                    writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                    break;
                case JsonTokenType.True:
                    writer.WriteBooleanValue(true);
                    break;
                case JsonTokenType.False:
                    writer.WriteBooleanValue(false);
                    break;
                case JsonTokenType.Null:
                    writer.WriteNullValue();
                    break;
            }
            redactNext = false;
        }
    }
}
