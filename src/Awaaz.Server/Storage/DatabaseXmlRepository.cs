using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Awaaz.Server.Storage;

/// <summary>
/// Persists the ASP.NET Data Protection key ring in the <c>data_protection_keys</c> table, so every node
/// sharing the database (and every restart) can decrypt stored credentials. Set
/// <c>Awaaz:DataProtection:KeysDirectory</c> to keep the key ring in a directory instead.
/// </summary>
public sealed class DatabaseXmlRepository(Database database) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = database.OpenAsync().GetAwaiter().GetResult();
        return connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY created_at, id")
            .Select(x => XElement.Parse(x)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = database.OpenAsync().GetAwaiter().GetResult();
        connection.Execute(
            "INSERT INTO data_protection_keys (id, friendly_name, xml, created_at) VALUES (@id, @friendlyName, @xml, @at)",
            new { id = Guid.NewGuid().ToString("D"), friendlyName, xml = element.ToString(SaveOptions.DisableFormatting), at = DbTime.ToDb(DateTimeOffset.UtcNow) });
    }
}

public static class DataProtectionSetup
{
    public const string ApplicationName = "awaaz";

    public static IServiceCollection AddAwaazDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddDataProtection().SetApplicationName(ApplicationName);
        var directory = configuration["Awaaz:DataProtection:KeysDirectory"];
        if (!string.IsNullOrWhiteSpace(directory))
        {
            builder.PersistKeysToFileSystem(new DirectoryInfo(directory));
            return services;
        }
        services.AddSingleton<DatabaseXmlRepository>();
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<DatabaseXmlRepository>((o, repository) => o.XmlRepository = repository);
        return services;
    }
}
