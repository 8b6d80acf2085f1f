using System.Text.Json.Nodes;

namespace Awaaz.Smartflo.Tests.Simulator;

/// <summary>The shared Smartflo fixtures (`shared/fixtures/smartflo/`), found beside or inside the repository.</summary>
public static class FixtureFiles
{
    public static JsonObject Load(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Directory(), name)))!.AsObject();

    public static string Directory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        for (var depth = 0; dir is not null && depth < 12; depth++, dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "fixtures", "smartflo"), Path.Combine(dir.FullName, "..", "shared", "fixtures", "smartflo") })
            {
                if (File.Exists(Path.Combine(candidate, "README.md")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("shared/fixtures/smartflo was not found above " + AppContext.BaseDirectory);
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        for (var depth = 0; dir is not null && depth < 12; depth++, dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Awaaz.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Awaaz.slnx was not found above " + AppContext.BaseDirectory);
    }
}
