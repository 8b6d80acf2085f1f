using Awaaz.Smartflo.Simulator.Configuration;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Awaaz.Smartflo.Simulator.Rest;

/// <summary>Reads request bodies leniently (JSON, form or empty) and pulls typed values out of them.</summary>
internal static class RequestBody
{
    /// <summary>The body as an object; empty bodies give `{}`; null when the body is neither a JSON object nor a form.</summary>
    public static async Task<JsonObject?> ReadAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync().ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException) when (request.HasFormContentType)
        {
            var fromForm = new JsonObject();
            foreach (var (key, value) in Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(text))
            {
                fromForm[key] = value.ToString();
            }

            return fromForm;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string or number value as text; objects come back as their JSON.</summary>
    public static string? Text(JsonObject body, string key) => body[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(SimJson.Wire),
        JsonObject o => o.ToJsonString(SimJson.Wire),
        _ => null,
    };

    /// <summary>An integer given as a number or a numeric string (`1` and `"1"`). Null when absent; false when malformed.</summary>
    public static bool TryInt(JsonObject body, string key, out int? value)
    {
        value = null;
        var node = body[key];
        if (node is null)
        {
            return true;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var number))
        {
            value = number;
            return true;
        }

        if (node is JsonValue s && s.GetValueKind() == JsonValueKind.String
            && int.TryParse(s.GetValue<string>().Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }
}
