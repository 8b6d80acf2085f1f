namespace Awaaz.Server.Tests.Partners;

/// <summary>The admin CLI in the real executable, against the backend under test.</summary>
public sealed class AdminCliTests
{
    [Fact]
    public async Task Create_list_update_and_key_lifecycle_with_readable_output()
    {
        await using var db = await TestDatabase.CreateAsync();
        var dir = Directory.CreateTempSubdirectory("awaaz-cli-").FullName;
        var env = new Dictionary<string, string?> { ["ConnectionStrings__Awaaz"] = db.ConnectionString };

        var (code, output) = await AwaazProcess.RunCliAsync(dir, env, "partners", "create", "--name", "clinic-one", "--display-name", "Clinic One", "--agent-limit", "4", "--with-key");
        code.ShouldBe(0, output);
        output.ShouldContain("Created partner clinic-one");
        output.ShouldContain("Save this key");
        var key = System.Text.RegularExpressions.Regex.Match(output, "rg_live_[0-9A-Za-z]{32}").Value;
        key.ShouldNotBeNullOrEmpty();

        (code, output) = await AwaazProcess.RunCliAsync(dir, env, "partners", "list");
        code.ShouldBe(0, output);
        output.ShouldContain("clinic-one");
        output.ShouldContain("Clinic One");

        (code, output) = await AwaazProcess.RunCliAsync(dir, env, "partners", "update", "clinic-one", "--status", "suspended", "--languages", "en,ta");
        code.ShouldBe(0, output);
        output.ShouldContain("suspended");
        output.ShouldContain("en,ta");

        (code, output) = await AwaazProcess.RunCliAsync(dir, env, "partners", "update", "clinic-one", "--status", "frozen");
        code.ShouldNotBe(0);
        output.ShouldContain("status must be one of active, pending, suspended");

        (code, output) = await AwaazProcess.RunCliAsync(dir, env, "keys", "list", "--partner", "clinic-one");
        code.ShouldBe(0, output);
        output.ShouldContain(key[..12]);
        output.ShouldNotContain(key);
        var keyId = System.Text.RegularExpressions.Regex.Match(output, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Value;

        (code, output) = await AwaazProcess.RunCliAsync(dir, env, "keys", "revoke", keyId);
        code.ShouldBe(0, output);
        output.ShouldContain("Revoked");

        (code, output) = await AwaazProcess.RunCliAsync(dir, env, "keys", "revoke", Guid.NewGuid().ToString());
        code.ShouldBe(1);
        output.ShouldContain("no API key with id");

        (code, output) = await AwaazProcess.RunCliAsync(dir, env, "keys", "create", "--partner", "nobody-here");
        code.ShouldBe(3);
        output.ShouldContain("not found");
    }
}
