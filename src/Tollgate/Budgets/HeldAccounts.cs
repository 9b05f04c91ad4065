namespace Tollgate.Budgets;

/// <summary>
/// Customers whose stored figures could not be loaded (a sum beyond a decimal's range): each is held
/// closed, its requests and new grants refused, until the operator corrects its books and restarts.
/// One unreadable account never stops the process.
/// </summary>
internal sealed partial class HeldAccounts(IReadOnlyDictionary<string, string> held, ILogger<HeldAccounts> logger) : IHostedService
{
    public static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    /// <summary>Why the customer's account is held, or null when it is open.</summary>
    public string? Reason(string customerId) => held.Count > 0 ? held.GetValueOrDefault(customerId) : null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (customerId, reason) in held) LogHeld(logger, customerId, reason);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Account of customer {CustomerId} is held closed: {Reason}. Its requests are refused until its ledger is corrected.")]
    private static partial void LogHeld(ILogger logger, string customerId, string reason);
}
