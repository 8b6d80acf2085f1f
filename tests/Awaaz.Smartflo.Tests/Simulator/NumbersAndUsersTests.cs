using System.Net;
using System.Text.Json.Nodes;
using Shouldly;
using Xunit;
using static Awaaz.Smartflo.Tests.Simulator.SimTestKit;

namespace Awaaz.Smartflo.Tests.Simulator;

public sealed class NumbersAndUsersTests
{
    [Fact]
    public async Task My_number_is_a_bare_array_in_the_spec_shape()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (response, body) = await http.GetJsonAsync("v1/my_number", StaticToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body.AsArray()[0]!.ToJsonString(Awaaz.Smartflo.Simulator.Configuration.SimJson.Wire).ShouldBe(
            """{"id":"12345","name":"Sales line","description":"","alias":"8069000001","did":"+918069000001","destination":"ivr||57000","destination_name":"Main IVR","sms_templates":null}""");
        body.AsArray()[1]!["did"]!.GetValue<string>().ShouldBe("918071000002");
        body.AsArray()[1]!["destination"].ShouldBeNull();
    }

    [Fact]
    public async Task Put_my_number_changes_the_destination()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (put, putBody) = await SendPutAsync(http, "v1/my_number/12346", """{"destination":"voice_bot||553","destination_name":"Awaaz Bot"}""");
        var (_, numbers) = await http.GetJsonAsync("v1/my_number", StaticToken);
        var (missing, _) = await SendPutAsync(http, "v1/my_number/99999", """{"destination":"hangup||1"}""");

        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        putBody["success"]!.GetValue<bool>().ShouldBeTrue();
        numbers.AsArray()[1]!["destination"]!.GetValue<string>().ShouldBe("voice_bot||553");
        numbers.AsArray()[1]!["destination_name"]!.GetValue<string>().ShouldBe("Awaaz Bot");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Users_page_with_limit_and_last_seen_id()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (_, first) = await http.GetJsonAsync("v1/users?limit=2", StaticToken);
        var (_, second) = await http.GetJsonAsync("v1/users?limit=2&last_seen_id=314679", StaticToken);
        var (bad, _) = await http.GetJsonAsync("v1/users?limit=abc", StaticToken);

        first["has_more"]!.GetValue<bool>().ShouldBeTrue();
        first["count"]!.GetValue<int>().ShouldBe(2);
        first["last_seen_id"]!.GetValue<long>().ShouldBe(314679);
        first["data"]!.AsArray().Select(u => u!["id"]!.GetValue<long>()).ShouldBe([314678L, 314679L]);
        var bot = first["data"]![0]!;
        bot["agent"]!["id"]!.GetValue<string>().ShouldBe(AgentId);
        bot["agent"]!["follow_me_number"]!.GetValue<string>().ShouldBe("+911140000001");
        bot["user_role"]!["name"]!.GetValue<string>().ShouldBe("Agent");

        second["has_more"]!.GetValue<bool>().ShouldBeFalse();
        second["data"]!.AsArray().Select(u => u!["id"]!.GetValue<long>()).ShouldBe([314680L]);
        second["data"]![0]!["extension"]!.GetValue<string>().ShouldBe("202");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task User_by_id_and_404_for_unknown()
    {
        await using var sim = await StartAsync();
        using var http = Client(sim);

        var (found, user) = await http.GetJsonAsync("v1/user/314679", StaticToken);
        var (missing, _) = await http.GetJsonAsync("v1/user/1", StaticToken);

        found.StatusCode.ShouldBe(HttpStatusCode.OK);
        user["name"]!.GetValue<string>().ShouldBe("Asha");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static async Task<(HttpResponseMessage, JsonNode)> SendPutAsync(HttpClient http, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path)
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + StaticToken);
        var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response, JsonNode.Parse(text)!);
    }
}
