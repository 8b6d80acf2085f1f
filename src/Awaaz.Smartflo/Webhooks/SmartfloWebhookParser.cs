using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Awaaz.Smartflo.PhoneNumbers;

namespace Awaaz.Smartflo.Webhooks;

/// <summary>Why a webhook payload could not be read.</summary>
public enum WebhookParseErrorCode
{
    /// <summary>No body and no variables in the query string.</summary>
    EmptyPayload,
    /// <summary>Larger than <see cref="SmartfloWebhookParser.MaxPayloadBytes"/>.</summary>
    TooLarge,
    /// <summary>The body is not valid JSON (and, for an unspecified content type, not a form either).</summary>
    InvalidJson,
    /// <summary>Valid JSON, but not an object.</summary>
    NotAnObject,
    /// <summary>The body or query string contains no <c>key=value</c> pair.</summary>
    InvalidForm,
    /// <summary>An unforeseen failure while reading the payload; the parser reports it instead of throwing.</summary>
    Unexpected,
}

/// <summary>A payload that could not be turned into a <see cref="SmartfloCallEvent"/>.</summary>
/// <param name="Code">Category.</param>
/// <param name="Message">Short description, safe to log.</param>
public sealed record WebhookParseError(WebhookParseErrorCode Code, string Message);

/// <summary>Either an event or an error, never both.</summary>
public sealed record WebhookParseResult
{
    private WebhookParseResult(SmartfloCallEvent? callEvent, WebhookParseError? error)
    {
        Event = callEvent;
        Error = error;
    }

    /// <summary>The parsed event, when <see cref="IsSuccess"/>.</summary>
    public SmartfloCallEvent? Event { get; }

    /// <summary>Why parsing failed, when not <see cref="IsSuccess"/>.</summary>
    public WebhookParseError? Error { get; }

    /// <summary>True when <see cref="Event"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Event))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Event is not null;

    internal static WebhookParseResult Success(SmartfloCallEvent callEvent) => new(callEvent, null);

    internal static WebhookParseResult Failure(WebhookParseErrorCode code, string message) => new(null, new WebhookParseError(code, message));
}

/// <summary>
/// Parses Smartflo panel webhooks in any transport (JSON body, form body, GET query string) into one
/// <see cref="SmartfloCallEvent"/>, applying every rule of spec §10.5 (Q1–Q14). Never throws: bad input gives a
/// <see cref="WebhookParseResult"/> with an <see cref="WebhookParseError"/>.
/// </summary>
public static class SmartfloWebhookParser
{
    /// <summary>Largest payload accepted (1 MiB).</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    private const string SecretKey = "secret";
    private const string EventKey = "event";

    /// <summary>
    /// Parses a request as the lifecycle route receives it (spec §10.3): a JSON or form body chosen by content type
    /// (missing or unknown type: JSON, then form), or, with no body, the query string. Query variables fill keys the
    /// body lacks; <c>event</c> comes from the query (or the payload); <c>secret</c> is dropped.
    /// </summary>
    /// <param name="queryString">Raw query string, with or without the leading <c>?</c>.</param>
    /// <param name="body">Raw request body.</param>
    /// <param name="contentType">The request's <c>Content-Type</c>, if any.</param>
    public static WebhookParseResult Parse(string? queryString, ReadOnlySpan<byte> body, string? contentType)
    {
        if (body.Length > MaxPayloadBytes) return TooLarge();
        var copy = body.ToArray();
        return Guard(() => ParseRequest(queryString, copy, contentType));
    }

    /// <summary>Parses a JSON body. <paramref name="eventParameter"/> is the <c>event</c> query parameter, if any.</summary>
    public static WebhookParseResult ParseJson(ReadOnlySpan<byte> utf8Json, string? eventParameter = null)
    {
        if (utf8Json.Length > MaxPayloadBytes) return TooLarge();
        var copy = utf8Json.ToArray();
        return Guard(() => FromJson(copy, eventParameter, []));
    }

    /// <summary>Parses a JSON body given as text.</summary>
    public static WebhookParseResult ParseJson(string? json, string? eventParameter = null) =>
        json is null ? Empty() : ParseJson(Encoding.UTF8.GetBytes(json), eventParameter);

    /// <summary>Parses an <c>application/x-www-form-urlencoded</c> body. JSON-looking values are read as JSON (spec Q8).</summary>
    public static WebhookParseResult ParseForm(string? formBody, string? eventParameter = null) =>
        Guard(() => FromPairs(FormPairs(formBody), eventParameter, WebhookPayloadFormat.Form));

    /// <summary>Parses a GET webhook whose variables (and <c>event</c>) are all in the query string.</summary>
    public static WebhookParseResult ParseQuery(string? queryString) =>
        Guard(() => FromPairs(FormPairs(queryString), null, WebhookPayloadFormat.Query));

    private static WebhookParseResult ParseRequest(string? queryString, byte[] body, string? contentType)
    {
        if (body.Length > MaxPayloadBytes || (queryString?.Length ?? 0) > MaxPayloadBytes) return TooLarge();
        var query = FormPairs(queryString);
        if (IsBlank(body)) return FromPairs(query, null, WebhookPayloadFormat.Query);

        var type = contentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";
        if (type.EndsWith("json", StringComparison.Ordinal) || type.EndsWith("+json", StringComparison.Ordinal))
            return FromJson(body, null, query);
        if (type == "application/x-www-form-urlencoded")
            return FromPairs([.. FormPairs(Encoding.UTF8.GetString(body)), .. query], null, WebhookPayloadFormat.Form);

        var asJson = FromJson(body, null, query);
        if (asJson.IsSuccess || asJson.Error.Code != WebhookParseErrorCode.InvalidJson) return asJson;
        var asForm = FromPairs([.. FormPairs(Encoding.UTF8.GetString(body)), .. query], null, WebhookPayloadFormat.Form);
        return asForm.IsSuccess ? asForm : asJson;
    }

    private static WebhookParseResult FromJson(byte[] utf8, string? eventParameter, IReadOnlyList<KeyValuePair<string, string>> query)
    {
        if (IsBlank(utf8)) return Empty();
        if (!LooseJson.TryParse(utf8, out var root))
            return WebhookParseResult.Failure(WebhookParseErrorCode.InvalidJson, "The body is not valid JSON.");
        if (root.ValueKind != JsonValueKind.Object)
            return WebhookParseResult.Failure(WebhookParseErrorCode.NotAnObject, $"The JSON body is {root.ValueKind}, not an object.");

        if (query.Count > 0)
        {
            var pairs = root.EnumerateObject().Select(p => new KeyValuePair<string, JsonElement>(p.Name, p.Value)).ToList();
            pairs.AddRange(query.Select(q => new KeyValuePair<string, JsonElement>(q.Key, JsonSerializer.SerializeToElement(Sanitize(q.Value)))));
            root = BuildObject(pairs);
        }
        return FromObject(root, eventParameter, WebhookPayloadFormat.Json);
    }

    private static WebhookParseResult FromPairs(IReadOnlyList<KeyValuePair<string, string>> pairs, string? eventParameter, WebhookPayloadFormat format)
    {
        if (pairs.Count == 0)
            return format == WebhookPayloadFormat.Query
                ? Empty()
                : WebhookParseResult.Failure(WebhookParseErrorCode.InvalidForm, "The body contains no key=value pair.");
        var root = BuildObject(pairs.Select(p => new KeyValuePair<string, JsonElement>(p.Key, JsonSerializer.SerializeToElement(Sanitize(p.Value)))));
        return FromObject(root, eventParameter, format);
    }

    private static WebhookParseResult FromObject(JsonElement root, string? eventParameter, WebhookPayloadFormat format)
    {
        var fields = new WebhookFields(root);
        if (fields.Count == 0 || fields.Keys.All(k => k.Equals(EventKey, StringComparison.OrdinalIgnoreCase)))
            return Empty();

        eventParameter ??= fields.String(EventKey);
        var (kind, explicitKind) = Classify(eventParameter, fields);
        var direction = fields.String("direction");
        var callFlow = ReadCallFlow(fields.Structured("call_flow"));
        var callId = fields.String("call_id") ?? callFlow.FirstOrDefault(s => string.Equals(s.Type, "init", StringComparison.OrdinalIgnoreCase))?.Value;

        return WebhookParseResult.Success(new SmartfloCallEvent
        {
            Kind = kind,
            KindFromEventParameter = explicitKind,
            EventParameter = eventParameter,
            Format = format,
            Direction = CallDirections.Parse(direction),
            DirectionRaw = direction,
            CallId = callId,
            CallIdCore = SmartfloCallId.NumericCore(callId),
            Uuid = fields.String("uuid"),
            RefId = fields.String("ref_id"),
            CustomIdentifier = ReadCustomIdentifier(fields.Value("custom_identifier")),
            Status = fields.String("status"),
            CallStatus = fields.String("call_status"),
            CallToNumber = PhoneNumber.Normalize(fields.String("call_to_number")),
            CallerIdNumber = PhoneNumber.Normalize(fields.String("caller_id_number")),
            CustomerNumber = FirstNumber(fields, "customer_no_with_prefix", "customer_number_with_prefix", "customer_number"),
            AnsweredAgent = ReadAgent(fields.Value("answered_agent_number")) ?? ReadAgent(fields.Value("answer_agent_number")),
            StartedAt = fields.Timestamp("start_stamp"),
            AnsweredAt = fields.Timestamp("answer_stamp"),
            EndedAt = fields.Timestamp("end_stamp"),
            BillSeconds = LooseJson.Int32(fields.Value("billsec")),
            DurationSeconds = LooseJson.Int32(fields.Value("duration")),
            OutboundSeconds = LooseJson.Int32(fields.Value("outbound_sec")),
            CustomerRingSeconds = LooseJson.Int32(fields.Value("customer_ring_time")),
            AgentRingSeconds = LooseJson.Int32(fields.Value("agent_ring_time")),
            CallConnected = LooseJson.Bool(fields.Value("call_connected")),
            HangupCause = fields.String("hangup_cause") ?? fields.String("hangup_cause_key"),
            HangupCauseCode = LooseJson.Int32(fields.Value("hangup_cause_code")),
            HangupCauseDescription = fields.String("hangup_cause_description"),
            ReasonKey = fields.String("reason_key"),
            RecordingUrl = fields.String("recording_url"),
            DtmfDigits = fields.String("digit_pressed") ?? fields.String("digits_dialed"),
            CallFlow = callFlow,
            VoiceStreamingStartedAt = StreamingStep(callFlow, "started"),
            VoiceStreamingEndedAt = StreamingStep(callFlow, "ended"),
            BillingCircle = fields.Structured("billing_circle") is { ValueKind: JsonValueKind.Object } circle
                ? new BillingCircle(LooseJson.String(LooseJson.Property(circle, "operator")), LooseJson.String(LooseJson.Property(circle, "circle")))
                : null,
            PayloadHash = fields.Hash(),
            Raw = root,
        });
    }

    private static (SmartfloCallEventKind Kind, bool Explicit) Classify(string? eventParameter, WebhookFields fields)
    {
        var named = eventParameter?.Trim().ToLowerInvariant() switch
        {
            "answered" or "answer" => SmartfloCallEventKind.Answered,
            "hangup" or "hangedup" or "hung_up" => SmartfloCallEventKind.Hangup,
            "missed" => SmartfloCallEventKind.Missed,
            "received" => SmartfloCallEventKind.Received,
            "dtmf" => SmartfloCallEventKind.Dtmf,
            _ => (SmartfloCallEventKind?)null,
        };
        if (named is { } kind) return (kind, true);

        if (fields.Has("end_stamp") || fields.Has("hangup_cause") || fields.Has("hangup_cause_key") || fields.Has("billsec"))
            return (SmartfloCallEventKind.Hangup, false);
        var status = fields.String("status") ?? "";
        var callStatus = fields.String("call_status") ?? "";
        if (status.Contains("answered", StringComparison.OrdinalIgnoreCase) || callStatus.Contains("answered", StringComparison.OrdinalIgnoreCase))
            return (SmartfloCallEventKind.Answered, false);
        if (status.Contains("missed", StringComparison.OrdinalIgnoreCase) || callStatus.Contains("missed", StringComparison.OrdinalIgnoreCase))
            return (SmartfloCallEventKind.Missed, false);
        if (fields.Has("digit_pressed"))
            return (SmartfloCallEventKind.Dtmf, false);
        return (SmartfloCallEventKind.Unknown, false);
    }

    /// <summary>Spec Q10: a plain string, or from an object its <c>awaaz_call_id</c>, <c>call_id</c>, <c>ref_id</c> or first UUID value.</summary>
    private static string? ReadCustomIdentifier(JsonElement? value)
    {
        if (LooseJson.Structured(value) is { ValueKind: JsonValueKind.Object } obj)
        {
            foreach (var key in (ReadOnlySpan<string>)["awaaz_call_id", "call_id", "ref_id"])
                if (LooseJson.String(LooseJson.Property(obj, key)) is { } id) return id;
            foreach (var property in obj.EnumerateObject())
                if (LooseJson.String(property.Value) is { } s && Guid.TryParse(s, out _)) return s;
            return null;
        }
        var text = LooseJson.String(value);
        if (text is { Length: >= 2 } && text[0] == '"' && text[^1] == '"' && LooseJson.TryParse(text, out var inner))
            return LooseJson.String(inner);
        return text;
    }

    private static SmartfloAgentRef? ReadAgent(JsonElement? value)
    {
        var structured = LooseJson.Structured(value);
        if (structured is { ValueKind: JsonValueKind.Array } array)
            structured = array.EnumerateArray().FirstOrDefault(e => e.ValueKind == JsonValueKind.Object) is { ValueKind: JsonValueKind.Object } first ? first : null;
        if (structured is { ValueKind: JsonValueKind.Object } obj)
        {
            var number = LooseJson.String(LooseJson.Property(obj, "follow_me_number", "number", "agent_number"));
            var agent = new SmartfloAgentRef(
                LooseJson.String(LooseJson.Property(obj, "id")), LooseJson.String(LooseJson.Property(obj, "name")), number, PhoneNumber.Normalize(number));
            return agent is { Id: null, Name: null, Number: null } ? null : agent;
        }
        var text = LooseJson.String(value);
        return text is null ? null : new SmartfloAgentRef(null, null, text, PhoneNumber.Normalize(text));
    }

    private static IReadOnlyList<CallFlowStep> ReadCallFlow(JsonElement? value)
    {
        if (value is not { ValueKind: JsonValueKind.Array } steps) return [];
        var result = new List<CallFlowStep>();
        foreach (var step in steps.EnumerateArray())
        {
            if (step.ValueKind != JsonValueKind.Object) continue;
            result.Add(new CallFlowStep(
                LooseJson.String(LooseJson.Property(step, "type")),
                LooseJson.String(LooseJson.Property(step, "status", "dialst")),
                LooseJson.String(LooseJson.Property(step, "name")),
                LooseJson.String(LooseJson.Property(step, "id")),
                LooseJson.String(LooseJson.Property(step, "value")),
                IndianStandardTime.TryParse(LooseJson.String(LooseJson.Property(step, "time")), out var time) ? time : null,
                step));
        }
        return result;
    }

    private static DateTimeOffset? StreamingStep(IReadOnlyList<CallFlowStep> steps, string status) =>
        steps.FirstOrDefault(s => string.Equals(s.Type, "voice-streaming", StringComparison.OrdinalIgnoreCase)
                                  && string.Equals(s.Status, status, StringComparison.OrdinalIgnoreCase))?.Time;

    private static string? FirstNumber(WebhookFields fields, params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
            if (PhoneNumber.Normalize(fields.String(key)) is { } number) return number;
        return null;
    }

    /// <summary>Splits <c>a=b&amp;c=d</c> (leading <c>?</c> allowed), decoding <c>+</c> and percent escapes. Pairs without <c>=</c> are dropped.</summary>
    private static List<KeyValuePair<string, string>> FormPairs(string? text)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(text)) return pairs;
        var span = text.AsSpan().Trim();
        if (span.StartsWith("?")) span = span[1..];
        foreach (var range in span.Split('&'))
        {
            var part = span[range];
            var equals = part.IndexOf('=');
            if (equals <= 0) continue;
            var key = Decode(part[..equals]);
            if (string.IsNullOrWhiteSpace(key) || key.Trim().Equals(SecretKey, StringComparison.OrdinalIgnoreCase)) continue;
            pairs.Add(new(key, Decode(part[(equals + 1)..])));
        }
        return pairs;
    }

    private static string Decode(ReadOnlySpan<char> encoded) => Uri.UnescapeDataString(encoded.ToString().Replace('+', ' '));

    /// <summary>Replaces unpaired surrogates so the text can always be written as JSON.</summary>
    private static string Sanitize(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    private static JsonElement BuildObject(IEnumerable<KeyValuePair<string, JsonElement>> pairs)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in pairs)
            {
                writer.WritePropertyName(Sanitize(key));
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static bool IsBlank(ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }

    private static WebhookParseResult Empty() => WebhookParseResult.Failure(WebhookParseErrorCode.EmptyPayload, "The webhook carried no variables.");

    private static WebhookParseResult TooLarge() =>
        WebhookParseResult.Failure(WebhookParseErrorCode.TooLarge, $"The webhook payload exceeds {MaxPayloadBytes} bytes.");

    private static WebhookParseResult Guard(Func<WebhookParseResult> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // The contract is "never throw"; any gap in the rules above surfaces as a typed error instead.
            return WebhookParseResult.Failure(WebhookParseErrorCode.Unexpected, $"{error.GetType().Name}: {error.Message}");
        }
    }

    /// <summary>
    /// The payload's fields keyed by trimmed, case-insensitive name (spec Q1, Q14). For duplicate keys the first
    /// non-null value wins. <c>secret</c> is never kept.
    /// </summary>
    private sealed class WebhookFields
    {
        private readonly Dictionary<string, JsonElement> _values = new(StringComparer.OrdinalIgnoreCase);

        public WebhookFields(JsonElement root)
        {
            foreach (var property in root.EnumerateObject())
            {
                var key = property.Name.Trim();
                if (key.Length == 0 || key.Equals(SecretKey, StringComparison.OrdinalIgnoreCase)) continue;
                if (!_values.TryGetValue(key, out var existing) || (LooseJson.IsAbsent(existing) && !LooseJson.IsAbsent(property.Value)))
                    _values[key] = property.Value;
            }
        }

        public int Count => _values.Count;

        public IEnumerable<string> Keys => _values.Keys;

        public JsonElement? Value(string key) => _values.TryGetValue(key, out var value) && !LooseJson.IsAbsent(value) ? value : null;

        public bool Has(string key) => Value(key) is { } value && (value.ValueKind != JsonValueKind.String || LooseJson.String(value) is not null);

        public string? String(string key) => LooseJson.String(Value(key));

        public JsonElement? Structured(string key) => LooseJson.Structured(Value(key));

        public DateTimeOffset? Timestamp(string key) => IndianStandardTime.TryParse(String(key), out var instant) ? instant : null;

        /// <summary>SHA-256 over the sorted normalised fields (the fallback idempotency key of spec §10.7).</summary>
        public string Hash()
        {
            var canonical = new StringBuilder();
            foreach (var key in _values.Keys.Select(k => k.ToLowerInvariant()).Where(k => k != EventKey).Order(StringComparer.Ordinal))
            {
                if (Value(key) is not { } value) continue;
                var text = value.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? value.GetRawText() : LooseJson.String(value);
                if (text is null) continue;
                canonical.Append(key).Append('\u001f').Append(text).Append('\u001e');
            }
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
        }
    }
}
