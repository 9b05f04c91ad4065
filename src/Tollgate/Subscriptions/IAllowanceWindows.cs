using Tollgate.Catalog;

namespace Tollgate.Subscriptions;

/// <summary>
/// The allowance windows of every live subscription: in this node's memory by default, in Redis
/// when the nodes of a cluster share them. Taking units is all-or-nothing across the windows that
/// apply to the model; a refusal names the tightest window.
/// </summary>
internal interface IAllowanceWindows
{
    /// <summary>Follows plan changes: a window that keeps its name, kind and duration keeps its usage; new windows start empty.</summary>
    void Apply(CatalogSnapshot snapshot);

    /// <summary>Takes <paramref name="units"/> from every window that applies to the model, or from none; <paramref name="holdId"/> names the request's hold.</summary>
    ValueTask<AllowanceTake> TryTakeAsync(SubscriptionEntry subscription, string modelId, long units, string holdId);

    /// <summary>Every window of the subscription as it stands now, in the plan's order.</summary>
    ValueTask<IReadOnlyList<WindowView>> ReadAsync(SubscriptionEntry subscription);
}

/// <summary>Units taken (<see cref="Hold"/>), or the window that refused them; both null when the subscription has no windows here.</summary>
internal readonly record struct AllowanceTake(AllowanceHold? Hold, WindowView? RefusedBy)
{
    /// <summary>Of the refusing windows, the one that frees last: the earliest time the request could fit.</summary>
    public static WindowView? Tightest(IEnumerable<WindowView> refusing)
    {
        WindowView? tightest = null;
        foreach (var view in refusing)
        {
            if (tightest is null || view.ResetsAt > tightest.ResetsAt) tightest = view;
        }
        return tightest;
    }
}

/// <summary>A window as <c>/v1/account</c> and refusals show it; <c>resets_at</c> is null for a session not yet opened.</summary>
internal sealed record WindowView(string Name, string? Model, long Used, long Size, long Remaining, DateTimeOffset? ResetsAt);

/// <summary>Units taken for one request: kept when it is metered, given back if it ends without being served.</summary>
internal abstract class AllowanceHold(long units)
{
    private int _done;

    public long Units { get; } = units;

    public void Keep() => Interlocked.Exchange(ref _done, 1);

    public void Release()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) Refund();
    }

    /// <summary>Gives the units back to every window they were taken from (if it is still the same window); never throws.</summary>
    protected abstract void Refund();
}
