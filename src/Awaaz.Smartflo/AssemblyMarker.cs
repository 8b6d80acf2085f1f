namespace Awaaz.Smartflo; internal static class AssemblyMarker {}
