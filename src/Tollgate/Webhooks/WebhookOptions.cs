using Microsoft.Extensions.Options;

namespace Tollgate.Webhooks;

/// <summary>Webhook delivery and budget alert settings. Code defaults, then configuration (<c>Webhooks</c>), then validation at start.</summary>
internal sealed record WebhookOptions
{
    public const string Section = "Webhooks";

    private static readonly decimal[] DefaultThresholds = [50m, 80m, 100m];

    /// <summary>
    /// Percentages of a budget's limit at which <c>budget.threshold</c> fires, once each per period.
    /// Null keeps the default (50, 80, 100): the configuration binder would append to a default array.
    /// </summary>
    public decimal[]? BudgetThresholds { get; init; }

    /// <summary>Attempts per delivery, the first included, before it is marked failed.</summary>
    public int MaxAttempts { get; init; } = 12;

    /// <summary>Wait after the first failed attempt; each later failure doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromHours(6);

    /// <summary>How long one attempt may take, connecting included, before it counts as failed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries in flight at once.</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>How often the dispatcher looks for deliveries that came due (new events wake it at once).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a rotated-out signing secret keeps signing, unless the rotation says otherwise.</summary>
    public TimeSpan SecretGracePeriod { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Hosts (names or addresses) on internal networks that may receive webhooks anyway: the operator's own receivers.</summary>
    public string[]? AllowedInternalHosts { get; init; }

    public IReadOnlyList<decimal> Thresholds => BudgetThresholds is { Length: > 0 } configured ? configured : DefaultThresholds;

    /// <summary>Exponential backoff: the wait after the <paramref name="failedAttempts"/>-th failure.</summary>
    public TimeSpan RetryDelay(int failedAttempts)
    {
        var doublings = Math.Clamp(failedAttempts - 1, 0, 30);
        var ticks = FirstRetryDelay.Ticks * Math.Pow(2, doublings);
        return ticks >= MaxRetryDelay.Ticks ? MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }
}

internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        List<string> failures = [];
        if (options.Thresholds.Any(t => t is <= 0 or > 100)) failures.Add("Webhooks:BudgetThresholds must be percentages above 0 and at most 100.");
        if (options.MaxAttempts is < 1 or > 100) failures.Add("Webhooks:MaxAttempts must be from 1 to 100.");
        if (options.FirstRetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.FirstRetryDelay)
            failures.Add("Webhooks:FirstRetryDelay must be positive and at most Webhooks:MaxRetryDelay.");
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5)) failures.Add("Webhooks:Timeout must be positive and at most 5 minutes.");
        if (options.MaxConcurrency is < 1 or > 256) failures.Add("Webhooks:MaxConcurrency must be from 1 to 256.");
        if (options.PollInterval <= TimeSpan.Zero) failures.Add("Webhooks:PollInterval must be positive.");
        if (options.SecretGracePeriod < TimeSpan.Zero || options.SecretGracePeriod > TimeSpan.FromDays(7))
            failures.Add("Webhooks:SecretGracePeriod must be from 0 to 7 days.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
