namespace Awaaz.Smartflo.Rest;

/// <summary>Order in which queued requests get budget (spec §7): hangup first, list calls last.</summary>
public enum SmartfloRequestPriority
{
    /// <summary>Lists, diagnostics, reconciliation.</summary>
    Other = 0,
    /// <summary>Token logins.</summary>
    Login = 1,
    /// <summary>click_to_call and click_to_call_support.</summary>
    Originate = 2,
    /// <summary>call/options transfers.</summary>
    Transfer = 3,
    /// <summary>call/hangup: ending calls is never starved.</summary>
    Hangup = 4,
}

/// <summary>
/// Client-side token bucket shared by every request to one Smartflo account (spec §7): Smartflo's limit is per
/// account across all routes, so create one budget per account (key: base URL + login id, or base URL + API key)
/// and pass it to every <see cref="SmartfloClient"/> of that account. Rate = burst = requests per second.
/// A request that would queue longer than <see cref="MaxWait"/> is refused without sending anything.
/// Thread-safe.
/// </summary>
public sealed class SmartfloRequestBudget : IDisposable
{
    // Refills are computed in floating point; a token within this margin of whole counts as whole.
    private const double Epsilon = 1e-9;
    private static readonly TimeSpan MinimumTimerDue = TimeSpan.FromMilliseconds(1);

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly PriorityQueue<Waiter, (int, long)> _queue = new();
    private readonly int[] _waitingPerPriority = new int[5];
    private readonly double _capacity;
    private double _tokens;
    private long _refilledAt;
    private long _sequence;
    private ITimer? _releaseTimer;
    private bool _disposed;

    /// <param name="requestsPerSecond">Sustained rate and burst size; the account's CPS (default 3).</param>
    /// <param name="timeProvider">Clock for refills and waits; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="maxWait">Longest a request may queue before it is refused (default 5 s).</param>
    public SmartfloRequestBudget(double requestsPerSecond = 3, TimeProvider? timeProvider = null, TimeSpan? maxWait = null)
    {
        if (!(requestsPerSecond > 0) || double.IsInfinity(requestsPerSecond))
            throw new ArgumentOutOfRangeException(nameof(requestsPerSecond), "The request rate must be a positive number.");
        RequestsPerSecond = requestsPerSecond;
        MaxWait = maxWait ?? TimeSpan.FromSeconds(5);
        _time = timeProvider ?? TimeProvider.System;
        _capacity = Math.Max(1, Math.Ceiling(requestsPerSecond));
        _tokens = _capacity;
        _refilledAt = _time.GetTimestamp();
    }

    /// <summary>Sustained requests per second (also the burst size, rounded up).</summary>
    public double RequestsPerSecond { get; }

    /// <summary>Longest a request may wait for budget.</summary>
    public TimeSpan MaxWait { get; }

    /// <summary>
    /// Takes one request's worth of budget, waiting behind requests of equal or higher priority.
    /// Returns false at once when the expected wait exceeds <see cref="MaxWait"/>, or later when higher-priority
    /// requests kept passing it until the limit (plus half a refill interval) ran out.
    /// </summary>
    public ValueTask<bool> AcquireAsync(SmartfloRequestPriority priority, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Refill();
            var ahead = WaitingAtOrAbove(priority);
            if (ahead == 0 && _tokens >= 1 - Epsilon)
            {
                _tokens = Math.Max(0, _tokens - 1);
                return ValueTask.FromResult(true);
            }
            var expectedWait = TimeSpan.FromSeconds((ahead + 1 - _tokens) / RequestsPerSecond);
            if (expectedWait > MaxWait) return ValueTask.FromResult(false);

            waiter = new Waiter(this, priority);
            _waitingPerPriority[(int)priority]++;
            _queue.Enqueue(waiter, (-(int)priority, _sequence++));
            ArmReleaseTimer();
            // Admitted waiters expect to be served within MaxWait; half a refill interval of grace keeps a waiter
            // whose turn falls exactly on the limit from racing its own deadline.
            waiter.Start(_time, MaxWait + TimeSpan.FromSeconds(0.5 / RequestsPerSecond), cancellationToken);
        }
        return new ValueTask<bool>(waiter.Task);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _releaseTimer?.Dispose();
            while (_queue.TryDequeue(out var waiter, out _)) waiter.Complete(false);
        }
    }

    private int WaitingAtOrAbove(SmartfloRequestPriority priority)
    {
        var count = 0;
        for (var p = (int)priority; p < _waitingPerPriority.Length; p++) count += _waitingPerPriority[p];
        return count;
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_refilledAt, now).TotalSeconds;
        _refilledAt = now;
        if (elapsed > 0) _tokens = Math.Min(_capacity, _tokens + elapsed * RequestsPerSecond);
    }

    private void ArmReleaseTimer()
    {
        var due = TimeSpan.FromSeconds(Math.Max(0, (1 - _tokens) / RequestsPerSecond));
        if (due < MinimumTimerDue) due = MinimumTimerDue;
        if (_releaseTimer is null) _releaseTimer = _time.CreateTimer(_ => Release(), null, due, Timeout.InfiniteTimeSpan);
        else _releaseTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void Release()
    {
        lock (_gate)
        {
            if (_disposed) return;
            Refill();
            while (_tokens >= 1 - Epsilon && _queue.TryDequeue(out var waiter, out _))
            {
                if (waiter.Complete(true)) _tokens = Math.Max(0, _tokens - 1);
            }
            if (_queue.Count > 0) ArmReleaseTimer();
        }
    }

    private void Forget(SmartfloRequestPriority priority)
    {
        lock (_gate) _waitingPerPriority[(int)priority]--;
    }

    private sealed class Waiter(SmartfloRequestBudget owner, SmartfloRequestPriority priority)
    {
        private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ITimer? _deadline;
        private CancellationTokenRegistration _cancellation;

        public Task<bool> Task => _completion.Task;

        public void Start(TimeProvider time, TimeSpan maxWait, CancellationToken cancellationToken)
        {
            _deadline = time.CreateTimer(_ => Complete(false), null, maxWait, Timeout.InfiniteTimeSpan);
            if (cancellationToken.CanBeCanceled)
                _cancellation = cancellationToken.Register(() =>
                {
                    if (_completion.TrySetCanceled(cancellationToken)) Cleanup();
                });
        }

        /// <summary>Completes the wait once; false if it had already ended (timed out, cancelled or granted).</summary>
        public bool Complete(bool granted)
        {
            if (!_completion.TrySetResult(granted)) return false;
            Cleanup();
            return true;
        }

        private void Cleanup()
        {
            _deadline?.Dispose();
            _cancellation.Dispose();
            owner.Forget(priority);
        }
    }
}
