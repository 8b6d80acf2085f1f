using System.Text;
using Awaaz.Server.Storage;
using Dapper;

namespace Awaaz.Server.Tests.Partners;

/// <summary>No plaintext API key in the database or in any log line.</summary>
public sealed class SecretsAtRestTests(AwaazFactory factory) : IClassFixture<AwaazFactory>
{
    [Fact]
    public async Task Database_holds_only_the_hash_and_logs_never_see_the_key()
    {
        var ct = TestContext.Current.CancellationToken;
        var partner = await factory.CreatePartnerAsync();
        // Exercise success and failure paths with the key in flight.
        (await partner.Client.GetAsync("/api/v2/config", ct)).EnsureSuccessStatusCode();
        await partner.Client.GetAsync("/api/v2/unknown", ct);
        var wrong = factory.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", partner.ApiKey[..^1] + (partner.ApiKey[^1] == 'a' ? 'b' : 'a'));
        await wrong.GetAsync("/api/v2/config", ct);

        var dump = await DumpAsync(factory.Service<Database>());
        dump.ShouldNotContain(partner.ApiKey);
        dump.ShouldContain(Server.Partners.ApiKeyStore.Hash(partner.ApiKey));
        dump.ShouldNotContain(partner.ApiKey[12..^4]); // not even the secret middle

        factory.Logs.Lines.Count.ShouldBeGreaterThan(0);
        factory.Logs.All.ShouldNotContain(partner.ApiKey[8..]);
    }

    /// <summary>Every value of every table, as text.</summary>
    internal static async Task<string> DumpAsync(Database database)
    {
        await using var connection = await database.OpenAsync();
        var tables = database.Dialect == SqlDialect.Sqlite
            ? await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'")
            : await connection.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
        var dump = new StringBuilder();
        foreach (var table in tables)
            foreach (IDictionary<string, object?> row in await connection.QueryAsync($"SELECT * FROM {table}"))
                dump.AppendLine(table + ": " + string.Join(" | ", row.Values.Select(v => v is byte[] b ? Encoding.UTF8.GetString(b) : v?.ToString())));
        return dump.ToString();
    }
}
