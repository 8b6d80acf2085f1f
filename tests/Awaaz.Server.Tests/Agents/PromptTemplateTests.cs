using System.Text.Json;
using Awaaz.Server.Agents;

namespace Awaaz.Server.Tests.Agents;

public sealed class PromptTemplateTests
{
    private static readonly Dictionary<string, object?> Variables = new()
    {
        ["callee_name"] = "Asha",
        ["amount"] = 1499.5,
        ["count"] = 3,
        ["big"] = 12345678901L,
        ["vip"] = true,
        ["blocked"] = false,
        ["nothing"] = null,
        ["price"] = 12.75m,
    };

    [Theory]
    [InlineData("Hello {{callee_name}}!", "Hello Asha!")]
    [InlineData("Hello {{ callee_name }} and {{\tcallee_name\n}}", "Hello Asha and Asha")]
    [InlineData("Due {{amount}} for {{count}} items, id {{big}}", "Due 1499.5 for 3 items, id 12345678901")]
    [InlineData("vip={{vip}} blocked={{blocked}}", "vip=true blocked=false")]
    [InlineData("[{{nothing}}][{{missing}}]", "[][]")]
    [InlineData("Price {{price}}", "Price 12.75")]
    [InlineData("Case matters: {{Callee_Name}}", "Case matters: ")]
    [InlineData("Not placeholders: {callee_name} {{ callee name }} {{1abc}} {{}}", "Not placeholders: {callee_name} {{ callee name }} {{1abc}} {{}}")]
    [InlineData("{{{callee_name}}}", "{Asha}")]
    [InlineData("No placeholders at all", "No placeholders at all")]
    public void Placeholders_are_replaced(string template, string expected) =>
        PromptTemplate.Render(template, Variables).ShouldBe(expected);

    [Fact]
    public void Json_variables_as_sent_by_a_call_are_formatted()
    {
        using var json = JsonDocument.Parse("""
            {"name":"Ravi","n":42,"x":0.1,"e":1e3,"ok":true,"no":false,"gone":null,"list":["a",1],"obj":{"k":"v"}}
            """);
        var variables = PromptTemplate.VariablesFrom(json.RootElement);
        PromptTemplate.Render("{{name}}|{{n}}|{{x}}|{{e}}|{{ok}}|{{no}}|{{gone}}|{{list}}|{{obj}}|{{absent}}", variables)
            .ShouldBe("""Ravi|42|0.1|1000|true|false||["a",1]|{"k":"v"}|""");
    }

    [Fact]
    public void Optional_templates_stay_null_and_no_variables_empties_every_placeholder()
    {
        PromptTemplate.RenderOptional(null, Variables).ShouldBeNull();
        PromptTemplate.RenderOptional("Bye {{callee_name}}", Variables).ShouldBe("Bye Asha");
        PromptTemplate.Render("Hi {{callee_name}}.", PromptTemplate.VariablesFrom(null)).ShouldBe("Hi .");
    }
}
