using System.Net.Http.Headers;
using Dapper;
using Npgsql;

namespace Awaaz.Server.Tests.Operations;

/// <summary>The real executable, as the README's run command starts it.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task First_start_prints_a_key_that_works_against_config_and_readyz()
    {
        await using var db = await TestDatabase.CreateAsync();
        var workDir = Directory.CreateTempSubdirectory("awaaz-run-").FullName;
        var env = new Dictionary<string, string?>
        {
            // SQLite runs with the built-in default (./data/awaaz.db under the working directory).
            ["ConnectionStrings__Awaaz"] = TestDatabase.IsPostgres ? db.ConnectionString : null,
        };
        await using var awaaz = AwaazProcess.Start(workDir, env);
        var key = await awaaz.WaitForPrintedKeyAsync();
        await awaaz.WaitUntilReadyAsync();

        using var http = new HttpClient { BaseAddress = awaaz.BaseUrl };
        (await http.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var config = await (await http.GetAsync("/api/v2/config", TestContext.Current.CancellationToken)).ShouldBeSuccessAsync();
        config.Str("name").ShouldBe("default");
        config.Str("mode").ShouldBe("multi_tenant");
        if (!TestDatabase.IsPostgres) File.Exists(Path.Combine(workDir, "data", "awaaz.db")).ShouldBeTrue();

        // The printed key goes to the console banner only, never into a structured log line.
        awaaz.Output.Split('\n').Where(l => l.TrimStart().StartsWith('{')).ShouldAllBe(l => !l.Contains(key));
    }

    [Fact]
    public async Task Two_nodes_starting_at_once_apply_each_migration_exactly_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var workDir = Directory.CreateTempSubdirectory("awaaz-two-").FullName;
        var env = new Dictionary<string, string?> { ["ConnectionStrings__Awaaz"] = db.ConnectionString, ["Awaaz__CreateDefaultPartner"] = "false" };
        await using var first = AwaazProcess.Start(workDir, env);
        await using var second = AwaazProcess.Start(workDir, env);
        await Task.WhenAll(first.WaitUntilReadyAsync(), second.WaitUntilReadyAsync());

        var database = new Storage.Database(db.ConnectionString);
        await using (database)
        {
            await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
            var versions = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations")).ToList();
            var expected = Storage.MigrationRunner.Load(database.Dialect).Select(m => m.Version).ToList();
            versions.Count.ShouldBe(expected.Count);
            versions.OrderBy(v => v).ShouldBe(expected);
        }
    }
}
