using Awaaz.Smartflo.Simulator.Cli;
using Spectre.Console;

namespace Awaaz.Smartflo.Simulator;

/// <summary>Entry point of `awaaz-sim`.</summary>
public static class SimulatorProgram
{
    public static Task<int> Main(string[] args) =>
        SimulatorCli.Build(AnsiConsole.Console).Parse(args).InvokeAsync();
}
