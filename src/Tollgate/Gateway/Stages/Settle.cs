using Tollgate.Hosting;
using Tollgate.Storage;

namespace Tollgate.Gateway.Stages;

/// <summary>
/// Prices the metered usage at the request's price version, costs it at the backend's cost card,
/// and makes the usage event (with its ledger entry) durable. The caller sends the response's
/// last bytes only after this completes.
/// </summary>
internal sealed partial class Settle(IUsageRecorder recorder, Gates.GateSpend gateSpend, GatewayMetrics metrics, TimeProvider time, ILogger<Settle> logger)
{
    public async Task<ApiError?> RunAsync(GatewayRequest request, bool waitForCommit = true)
    {
        var list = request.Price.ListAmount(request.Usage);
        request.ListAmount = list;
        var charge = Billing.Pricing.RequestCharge.Of(list, request.Contract is null ? null : request.ChargeRates.AmountFor(request.Usage),
            request.Allowance is not null, request.Reservation?.Amount);
        request.ChargedAmount = charge.Charged;
        if (charge.CappedFrom is { } wanted) LogChargeCapped(logger, request.RequestId, request.Backend?.Id ?? "-", wanted, charge.Charged);
        var now = time.GetUtcNow();
        if (request.Model.Tier != Billing.Catalog.ModelTier.Gated) gateSpend.Add(request.Customer.Id, now, request.ChargedAmount);
        request.CostToServe = request.Backend?.CostCardAt(now)?.CostToServe(request.Usage) ?? 0m;
        request.Limits?.Settle(request.Usage.TotalTokens);
        // Served: the units stay taken, whatever the backend reported.
        request.Allowance?.Keep();
        var usage = new UsageEvent
        {
            RequestId = request.RequestId,
            CustomerId = request.Customer.Id,
            KeyId = request.Key.Id,
            ModelId = request.Model.Id,
            BackendId = request.Backend?.Id,
            PriceVersion = request.Price.Version,
            Tokens = request.Usage,
            Units = request.Allowance?.Units ?? 0,
            ListAmount = list,
            ChargedAmount = request.ChargedAmount,
            CostToServe = request.CostToServe,
            Status = request.Status,
            Source = request.UsageSource,
            Streamed = request.Stream,
            LatencyMs = request.ElapsedMs,
            TimeToFirstTokenMs = request.TimeToFirstTokenMs,
            StartedAt = request.StartedAt,
            CompletedAt = now,
        };
        metrics.Completed(request.Model.Id, request.Backend?.Id ?? "none", StatusCodes.Status200OK,
            request.Usage.InputTokens, request.Usage.OutputTokens, request.ChargedAmount, request.ElapsedMs / 1000.0, request.TimeToFirstTokenMs / 1000.0);
        try
        {
            var recorded = recorder.RecordAsync(usage);
            if (waitForCommit)
            {
                var commit = await recorded;
                if (request.Reservation is { } reservation) await reservation.SettleAsync(request.ChargedAmount, now, commit.Position);
            }
            else
            {
                // The client is gone and waits for nothing. The hold stays until the event is durable,
                // so the wallet never shows the charge gone before the ledger has it.
                _ = SettleWhenRecordedAsync(recorded, request.Reservation, request.ChargedAmount, now, request.RequestId);
            }
            return null;
        }
        catch (Exception ex)
        {
            LogRecordFailed(logger, ex, request.RequestId);
            return ApiError.Unavailable("The request was served but its usage could not be recorded, so the response is withheld. Retry shortly.", "usage_not_recorded");
        }
    }

    private async Task SettleWhenRecordedAsync(ValueTask<UsageCommit> recorded, Budgets.Reservation? reservation, decimal charged, DateTimeOffset now, string requestId)
    {
        try
        {
            var commit = await recorded;
            if (reservation is not null) await reservation.SettleAsync(charged, now, commit.Position);
        }
        catch (Exception ex)
        {
            // Not recorded: nothing was charged, so the hold is given back.
            reservation?.Release();
            LogRecordFailed(logger, ex, requestId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} on backend {BackendId} used {Amount} USD, more than the {Reserved} USD reserved; charged the reservation")]
    private static partial void LogChargeCapped(ILogger logger, string requestId, string backendId, decimal amount, decimal reserved);

    [LoggerMessage(Level = LogLevel.Error, Message = "Usage of request {RequestId} could not be recorded")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string requestId);
}
