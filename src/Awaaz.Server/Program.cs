using Awaaz.Server;
using Awaaz.Server.Cli;

// `awaaz` or `awaaz serve [--urls …]` runs the server; `awaaz partners|keys|migrate …` is the admin CLI.
if (AdminCli.Handles(args))
    return await AdminCli.RunAsync(args);

var serveArgs = args.Length > 0 && args[0] == "serve" ? args[1..] : args;
await AwaazApp.Build(serveArgs).RunAsync();
return 0;

public partial class Program;
