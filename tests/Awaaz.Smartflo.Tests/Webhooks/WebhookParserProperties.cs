using System.Text;
using System.Text.Json.Nodes;
using Awaaz.Smartflo.Webhooks;
using FsCheck;
using FsCheck.Fluent;

namespace Awaaz.Smartflo.Tests.Webhooks;

/// <summary>The parser never throws, whatever arrives: it returns an event or a typed error.</summary>
public sealed class WebhookParserProperties
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(1000);

    private static readonly string[] KnownKeys =
    [
        "uuid", "call_id", "ref_id", "custom_identifier", "direction", "status", "call_status", "call_to_number", "caller_id_number",
        "customer_no_with_prefix ", "customer_number", "answered_agent_number", "answer_agent_number", "start_stamp", "answer_stamp",
        "end_stamp", "billsec", "duration", "call_connected", "hangup_cause", "hangup_cause_code", "recording_url", "call_flow",
        "billing_circle", "digit_pressed", "event", "secret", "EVENT", " Uuid ",
    ];

    private static readonly Gen<string> Texts = Gen.OneOf(
        ArbMap.Default.ArbFor<string>().Generator.Where(s => s is not null),
        Gen.Elements("", " ", "$recording_name", "_number", "6", "1.5", "-3", "1e400", "N.A.", "{", "[", "{\"a\":", "[1,{\"b\":2}]",
            "{\"awaaz_call_id\":7}", "\"\\\"x\\\"\"", "2026-02-08 12:34:53", "1770534293", "99999999999999999999999", "+919876543210",
            "09XXXXX6782,0964XXXX782", "\ud800", "h3.08-1770534283.2156835", "clicktocall", "Answered by agent", "%zz", "a=b&c"));

    private static Gen<JsonNode?> Values(int depth)
    {
        var scalars = Gen.OneOf(
            Gen.Constant<JsonNode?>(null),
            ArbMap.Default.ArbFor<bool>().Generator.Select(b => (JsonNode?)JsonValue.Create(b)),
            ArbMap.Default.ArbFor<int>().Generator.Select(i => (JsonNode?)JsonValue.Create(i)),
            ArbMap.Default.ArbFor<NormalFloat>().Generator.Select(d => (JsonNode?)JsonValue.Create(d.Get)),
            Texts.Select(s => (JsonNode?)JsonValue.Create(s)));
        if (depth == 0) return scalars;
        var children = Values(depth - 1);
        var arrays = children.ListOf().Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray()));
        var objects = Objects(children);
        return Gen.Frequency((6, scalars), (1, arrays), (1, objects));
    }

    private static Gen<JsonNode?> Objects(Gen<JsonNode?> values) =>
        Gen.Zip(Gen.OneOf(Gen.Elements(KnownKeys), Texts), values).ListOf().Select(pairs =>
        {
            var obj = new JsonObject();
            foreach (var (key, value) in pairs) obj[key] = value?.DeepClone();
            return (JsonNode?)obj;
        });

    /// <summary>Exactly one of event and error, and never the catch-all: every input is handled by the rules themselves.</summary>
    private static bool WellFormed(WebhookParseResult result) =>
        result.IsSuccess ? result.Error is null : result.Event is null && result.Error.Code != WebhookParseErrorCode.Unexpected;

    [Fact]
    public void Arbitrary_json_objects_never_throw_and_objects_with_data_parse() =>
        Prop.ForAll(Objects(Values(2)).ToArbitrary(), node =>
        {
            var json = node!.ToJsonString();
            var result = SmartfloWebhookParser.ParseJson(json, null);
            var hasData = node.AsObject().Any(p => p.Key.Trim().ToLowerInvariant() is not ("secret" or "event" or ""));
            return WellFormed(result) && (!hasData || result.IsSuccess);
        }).Check(Runs);

    [Fact]
    public void Arbitrary_text_as_json_form_or_query_never_throws() =>
        Prop.ForAll(Texts.ToArbitrary(), Texts.ToArbitrary(), (text, eventParameter) =>
            WellFormed(SmartfloWebhookParser.ParseJson(text, eventParameter))
            && WellFormed(SmartfloWebhookParser.ParseForm(text, eventParameter))
            && WellFormed(SmartfloWebhookParser.ParseQuery(text))
            && WellFormed(SmartfloWebhookParser.Parse(text, Encoding.UTF8.GetBytes(text), eventParameter))).Check(Runs);

    [Fact]
    public void Arbitrary_bytes_never_throw() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), Gen.Elements<string?>(null, "application/json", "application/x-www-form-urlencoded", "text/plain").ToArbitrary(),
            (bytes, contentType) =>
                WellFormed(SmartfloWebhookParser.ParseJson(bytes))
                && WellFormed(SmartfloWebhookParser.Parse("event=hangup", bytes, contentType))).Check(Runs);

    [Fact]
    public void Arbitrary_form_pairs_never_throw() =>
        Prop.ForAll(Gen.Zip(Gen.OneOf(Gen.Elements(KnownKeys), Texts), Texts).ListOf().ToArbitrary(), pairs =>
        {
            var form = string.Join('&', pairs.Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2)));
            var raw = string.Join('&', pairs.Select(p => p.Item1 + "=" + p.Item2));
            return WellFormed(SmartfloWebhookParser.ParseForm(form)) && WellFormed(SmartfloWebhookParser.ParseForm(raw))
                   && WellFormed(SmartfloWebhookParser.ParseQuery("?" + raw));
        }).Check(Runs);
}
