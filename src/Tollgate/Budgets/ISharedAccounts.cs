using Tollgate.Limits;

namespace Tollgate.Budgets;

/// <summary>
/// Spend accounts shared by every node of a cluster (in Redis), one customer's at a time. Each call
/// is one atomic step: a reservation is taken on all the accounts or on none, with a lease so a
/// dead node's holds expire. When absent, the in-memory accounts of the single node are used instead.
/// </summary>
internal interface ISharedAccounts
{
    /// <summary>
    /// Holds <paramref name="amount"/> on every account, or on none, after taking the request's
    /// <paramref name="limits"/> in the same step (a refusal by a limit takes nothing; by an account,
    /// only the request counts).
    /// </summary>
    Task<SharedReserve> ReserveAsync(string customerId, SharedAccount[] accounts, string holdId, decimal amount, JoinedLimits? limits = null);

    /// <summary>
    /// Replaces the hold by the charge committed at <paramref name="position"/> (null: nothing was
    /// stored, so nothing is charged), ending the limits taken with it; each account's balance after
    /// (wallet funds, or minus a budget's spend), null when unknown. A charge Redis cannot take now
    /// reaches it from the ledger later.
    /// </summary>
    Task<decimal?[]> SettleAsync(string customerId, SharedAccount[] accounts, string holdId, decimal charged, string? position, JoinedLimits? limits = null);

    /// <summary>Gives a hold (and the limits taken with it) back without waiting; its lease ends it anyway if Redis is unreachable.</summary>
    void Release(string customerId, SharedAccount[] accounts, string holdId, JoinedLimits? limits = null);

    /// <summary>The customer's ledger changed outside a request (a grant, payment, fee, expiry): bring the shared copy in line.</summary>
    void Refresh(string customerId);

    /// <summary>When the oldest live hold on the customer's wallet was taken (Redis's clock); null when none is.</summary>
    Task<DateTimeOffset?> OldestHoldAsync(string customerId);

    /// <summary>Each account's balance (wallet funds, or minus a budget's spend) and what is held on it, seeding absent ones.</summary>
    Task<SharedBalance[]> ReadAsync(string customerId, SharedAccount[] accounts);
}

/// <summary>One shared account's figures: its balance and what live holds keep from it.</summary>
internal readonly record struct SharedBalance(decimal Balance, decimal Held);

/// <summary>
/// One of a customer's accounts as the shared counters name it: <c>w</c> (wallet),
/// <c>c:&lt;month&gt;</c>, <c>km:&lt;key&gt;:&lt;month&gt;</c>, <c>kl:&lt;key&gt;</c>; the ceiling is the
/// credit limit (wallet) or the budget, null when it only counts.
/// </summary>
internal readonly record struct SharedAccount(string Name, decimal? Ceiling);

/// <summary>The account (by index) that could not cover a reservation, and what it had available.</summary>
internal sealed record SharedRefusal(int Index, decimal Available);

/// <summary>
/// A reservation's answer: held (no refusal), refused by an account, or refused by a limit
/// (<see cref="Limits"/> with <c>Refused</c> ≥ 0); the limits' readings when any were taken.
/// </summary>
internal sealed record SharedReserve(SharedRefusal? Refusal, LimitAdmission? Limits)
{
    public static readonly SharedReserve Held = new(null, null);
}
