using Awaaz.Smartflo.Simulator.Auth;
using Awaaz.Smartflo.Simulator.Calls;
using Awaaz.Smartflo.Simulator.Configuration;

namespace Awaaz.Smartflo.Simulator.Accounts;

/// <summary>A seeded account plus its runtime counters. Read the config only through <see cref="SimAccounts"/> snapshots.</summary>
public sealed class SimAccount
{
    private readonly Queue<DateTimeOffset> _recentRequests = new();
    private readonly Lock _window = new();

    internal SimAccount(AccountConfig config) => Config = config;

    internal AccountConfig Config { get; }

    public string Id => Config.Id;

    private int _loginFailedCount;

    internal int RecordLoginFailure() => Interlocked.Increment(ref _loginFailedCount);

    internal void ResetLoginFailures() => Interlocked.Exchange(ref _loginFailedCount, 0);

    /// <summary>Sliding one-second window shared by every route of the account (spec §7).</summary>
    internal bool TryAdmit(DateTimeOffset now, int? callsPerSecond, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (callsPerSecond is not { } limit || limit <= 0)
        {
            return true;
        }

        lock (_window)
        {
            return AdmitLocked(now, limit, out retryAfter);
        }
    }

    private bool AdmitLocked(DateTimeOffset now, int limit, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        while (_recentRequests.Count > 0 && now - _recentRequests.Peek() >= TimeSpan.FromSeconds(1))
        {
            _recentRequests.Dequeue();
        }

        if (_recentRequests.Count >= limit)
        {
            retryAfter = _recentRequests.Peek() + TimeSpan.FromSeconds(1) - now;
            return false;
        }

        _recentRequests.Enqueue(now);
        return true;
    }
}

/// <summary>The account model: credentials, static tokens, users, DIDs, API keys, webhooks, CPS.</summary>
public sealed class SimAccounts
{
    private readonly TokenIssuer _tokens;
    private readonly Dictionary<string, SimAccount> _accounts = new(StringComparer.Ordinal);

    internal SimAccounts(TokenIssuer tokens) => _tokens = tokens;

    /// <summary>Guards every account and its lists; handlers hold it while they read or change account data.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>Adds (or replaces) an account; its static tokens become valid Bearer tokens.</summary>
    public void Add(AccountConfig account)
    {
        if (string.IsNullOrWhiteSpace(account.Id))
        {
            throw new ArgumentException("An account needs an id.", nameof(account));
        }

        var copy = Copy(account);
        lock (Gate)
        {
            _accounts[copy.Id] = new SimAccount(copy);
        }

        foreach (var token in copy.StaticTokens)
        {
            _tokens.RegisterStatic(token, copy.Id);
        }
    }

    public void ReplaceAll(IEnumerable<AccountConfig> accounts)
    {
        lock (Gate)
        {
            _accounts.Clear();
        }

        foreach (var account in accounts)
        {
            Add(account);
        }
    }

    /// <summary>A copy of an account's configuration as it is now.</summary>
    public AccountConfig Get(string accountId)
    {
        lock (Gate)
        {
            return Copy(Require(accountId).Config);
        }
    }

    public IReadOnlyList<AccountConfig> All
    {
        get
        {
            lock (Gate)
            {
                return _accounts.Values.Select(a => Copy(a.Config)).ToList();
            }
        }
    }

    public void AddUser(string accountId, UserConfig user) => Change(accountId, a => a.Users.Add(user));

    public void AddDid(string accountId, DidConfig did) => Change(accountId, a => a.Dids.Add(did));

    public void AddApiKey(string accountId, ApiKeyConfig key) => Change(accountId, a => a.ApiKeys.Add(key));

    /// <summary>Sets the webhook of a trigger (replacing an earlier one for the same trigger).</summary>
    public void SetWebhook(string accountId, WebhookConfig webhook) => Change(accountId, a =>
    {
        a.Webhooks.RemoveAll(w => w.Trigger == webhook.Trigger);
        a.Webhooks.Add(webhook);
    });

    public void SetCallsPerSecond(string accountId, int? callsPerSecond) =>
        Change(accountId, a => a.CallsPerSecond = callsPerSecond);

    public void Change(string accountId, Action<AccountConfig> change)
    {
        lock (Gate)
        {
            change(Require(accountId).Config);
        }
    }

    internal SimAccount? Find(string accountId)
    {
        lock (Gate)
        {
            return _accounts.GetValueOrDefault(accountId);
        }
    }

    internal SimAccount? FindByLogin(string loginId)
    {
        lock (Gate)
        {
            return _accounts.Values.FirstOrDefault(a =>
                string.Equals(a.Config.LoginId, loginId.Trim(), StringComparison.OrdinalIgnoreCase));
        }
    }

    internal (SimAccount Account, ApiKeyConfig Key)? FindByApiKey(string apiKey)
    {
        lock (Gate)
        {
            foreach (var account in _accounts.Values)
            {
                var key = account.Config.ApiKeys.FirstOrDefault(k => string.Equals(k.Key, apiKey.Trim(), StringComparison.Ordinal));
                if (key is not null)
                {
                    return (account, key);
                }
            }

            return null;
        }
    }

    internal static DidConfig? FindDid(AccountConfig account, string number) =>
        account.Dids.FirstOrDefault(d => PhoneNumber.SameLast10(d.Did, number));

    internal static UserConfig? FindAgent(AccountConfig account, string? agentNumber) =>
        agentNumber is null
            ? null
            : account.Users.FirstOrDefault(u =>
                u.AgentId == agentNumber
                || u.Extension == agentNumber
                || PhoneNumber.SameLast10(u.FollowMeNumber, agentNumber));

    private SimAccount Require(string accountId) =>
        _accounts.GetValueOrDefault(accountId)
        ?? throw new KeyNotFoundException($"No simulated account '{accountId}'.");

    private static AccountConfig Copy(AccountConfig account) =>
        new SimulatorConfig { Accounts = [account] }.Clone().Accounts[0];
}
