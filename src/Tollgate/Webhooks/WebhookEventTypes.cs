namespace Tollgate.Webhooks;

/// <summary>The events an endpoint may subscribe to; names are part of the public contract.</summary>
internal static class WebhookEventTypes
{
    public const string BudgetThreshold = "budget.threshold";
    public const string InvoiceFinalized = "invoice.finalized";
    public const string FlagRaised = "flag.raised";

    /// <summary>Sent to one endpoint on request from the admin API; never subscribed to.</summary>
    public const string Test = "webhook.test";

    /// <summary>An endpoint subscribed to <c>*</c> receives every event type, including ones added later.</summary>
    public const string All = "*";

    public static readonly IReadOnlyList<string> Subscribable = [BudgetThreshold, InvoiceFinalized, FlagRaised];

    public static bool Matches(IReadOnlyCollection<string> subscribed, string type) => subscribed.Contains(All) || subscribed.Contains(type);
}
