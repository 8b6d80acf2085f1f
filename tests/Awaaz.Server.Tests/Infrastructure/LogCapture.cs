using System.Collections.Concurrent;
using System.Text;

namespace Awaaz.Server.Tests.Infrastructure;

/// <summary>Collects every log line the server writes (message, structured state, scopes, exception), for assertions.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly LoggerExternalScopeProvider _scopes = new();

    public IReadOnlyCollection<string> Lines => _lines;
    public string All => string.Join("\n", _lines);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, this);
    public void Dispose() { }

    private sealed class CapturingLogger(string category, LogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new StringBuilder().Append(logLevel).Append(' ').Append(category).Append(": ").Append(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
                foreach (var (k, v) in values) line.Append(" | ").Append(k).Append('=').Append(v);
            owner._scopes.ForEachScope((scope, sb) => sb.Append(" | scope ").Append(scope is IEnumerable<KeyValuePair<string, object>> kv ? string.Join(",", kv.Select(p => $"{p.Key}={p.Value}")) : scope), line);
            if (exception is not null) line.Append(" | ").Append(exception);
            owner._lines.Enqueue(line.ToString());
        }
    }
}
