using System.Text;

namespace Awaaz.Smartflo.Tests.Support;

/// <summary>
/// Locates the read-only shared fixtures. The <c>shared</c> folder sits beside the repository checkout
/// (<c>&lt;repo&gt;/../shared</c>); <c>AWAAZ_SHARED_DIR</c> overrides the search.
/// </summary>
internal static class Fixtures
{
    private static readonly Lazy<string> SmartfloDirectory = new(Locate);

    public static string Path(string name) => System.IO.Path.Combine(SmartfloDirectory.Value, name);

    public static string Text(string name) => File.ReadAllText(Path(name), Encoding.UTF8);

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    private static string Locate()
    {
        var overrideDir = Environment.GetEnvironmentVariable("AWAAZ_SHARED_DIR");
        if (!string.IsNullOrWhiteSpace(overrideDir))
        {
            var candidate = System.IO.Path.Combine(overrideDir, "fixtures", "smartflo");
            if (Directory.Exists(candidate)) return candidate;
            throw new DirectoryNotFoundException($"AWAAZ_SHARED_DIR={overrideDir} has no fixtures/smartflo folder.");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[]
                     {
                         System.IO.Path.Combine(dir.FullName, "shared", "fixtures", "smartflo"),
                         System.IO.Path.Combine(dir.FullName, "..", "shared", "fixtures", "smartflo"),
                     })
            {
                if (Directory.Exists(candidate)) return System.IO.Path.GetFullPath(candidate);
            }
        }
        throw new DirectoryNotFoundException(
            $"No shared/fixtures/smartflo found above {AppContext.BaseDirectory}; set AWAAZ_SHARED_DIR to the shared folder.");
    }
}
