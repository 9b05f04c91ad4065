using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Billing;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Storage;
using Tollgate.Subscriptions;

namespace Tollgate.Admin;

/// <summary>Plans (windows, weights, overage policy) and customers' subscriptions to them.</summary>
internal static class SubscriptionEndpoints
{
    public static void MapSubscriptions(this RouteGroupBuilder admin)
    {
        var billing = AdminScopes.Policy(AdminScopes.Billing);
        var read = AdminScopes.Policy(AdminScopes.Read);
        admin.MapGet("/plans", ListPlans).RequireAuthorization(read);
        admin.MapGet("/plans/{planId}", GetPlan).RequireAuthorization(read);
        admin.MapPut("/plans/{planId}", PutPlanAsync).RequireAuthorization(billing);
        admin.MapGet("/customers/{customerId}/subscription", GetSubscriptionAsync).RequireAuthorization(read);
        admin.MapPost("/customers/{customerId}/subscription", StartAsync).RequireAuthorization(billing);
        admin.MapPost("/customers/{customerId}/subscription/change", ChangeAsync).RequireAuthorization(billing);
        admin.MapPost("/customers/{customerId}/subscription/cancel", (string customerId, ClaimsPrincipal user, CatalogState catalog,
            SubscriptionLifecycle lifecycle, IAllowanceWindows allowances, CancellationToken ct) => SetCancelAsync(customerId, true, user, catalog, lifecycle, allowances, ct))
            .RequireAuthorization(billing);
        admin.MapPost("/customers/{customerId}/subscription/resume", (string customerId, ClaimsPrincipal user, CatalogState catalog,
            SubscriptionLifecycle lifecycle, IAllowanceWindows allowances, CancellationToken ct) => SetCancelAsync(customerId, false, user, catalog, lifecycle, allowances, ct))
            .RequireAuthorization(billing);
    }

    private static Ok<ListResponse<PlanDocument>> ListPlans(CatalogState catalog) =>
        TypedResults.Ok(new ListResponse<PlanDocument>([.. catalog.Current.Plans.Values.OrderBy(p => p.Id, StringComparer.Ordinal).Select(PlanDocument.From)], false));

    private static Results<Ok<PlanDocument>, ApiErrorResult> GetPlan(string planId, CatalogState catalog) =>
        catalog.Current.Plans.TryGetValue(planId, out var plan) ? TypedResults.Ok(PlanDocument.From(plan)) : ApiErrorResult.NotFound("plan", planId);

    private static async Task<Results<Ok<PlanDocument>, ApiErrorResult>> PutPlanAsync(
        string planId, PlanDocument? body, ClaimsPrincipal user, CatalogState catalog, ISubscriptionStore store, CatalogRefresher refresher, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!ModelRequestReader.IsValidId(planId)) return ApiErrorResult.Invalid("Plan ids are 1 to 100 letters, digits, '.', '-', '_' or ':'.", "id");
        if (body is null) return ApiErrorResult.Invalid("A plan document is required.", "name");
        var (plan, error, param) = body.ToPlan(planId);
        if (plan is null) return ApiErrorResult.Invalid(error!, param!);
        var models = catalog.Current.Models;
        foreach (var model in plan.Models.Append(plan.DowngradeModel).OfType<string>())
        {
            if (!models.ContainsKey(model)) return ApiErrorResult.Invalid($"Model '{model}' does not exist.", model == plan.DowngradeModel ? "downgrade_model" : "models");
        }
        if (plan.DowngradeModel is { } downgrade && DowngradeRefusal(plan.Models, models, downgrade, time.GetUtcNow()) is { } notCheaper)
            return ApiErrorResult.Invalid(notCheaper, "downgrade_model");
        // A gated model in a plan is a preview: it must be capped by some window, or the plan would open it without limit.
        foreach (var model in plan.Models.Where(m => models[m].Tier == Billing.Catalog.ModelTier.Gated))
        {
            if (!plan.Windows.Any(w => w.Applies(model)))
                return ApiErrorResult.Invalid($"Gated model '{model}' is a preview in this plan and needs a window that counts it.", "windows");
        }
        var before = catalog.Current.Plans.GetValueOrDefault(planId) is { } old ? PlanDocument.From(old) : null;
        var after = PlanDocument.From(plan);
        await store.PutPlanAsync(plan, user.Audit("plan.put", "plan", planId, before, after, SubscriptionJson.Default.PlanDocument, time.UtcNowStored()), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return TypedResults.Ok(after);
    }

    /// <summary>
    /// Why <paramref name="downgrade"/> cannot stand in for the plan's other models of its kind past their allowance:
    /// it must cost no more for input and output than each of them, and less for one. Requests for the downgrade
    /// model itself are never downgraded (past the allowance they are refused as under <c>block</c>).
    /// </summary>
    private static string? DowngradeRefusal(IReadOnlyList<string> planModels, IReadOnlyDictionary<string, ModelEntry> models, string downgrade, DateTimeOffset now)
    {
        var cheaper = models[downgrade];
        if (cheaper.PriceCardAt(now) is not { } price) return $"Downgrade model '{downgrade}' has no price in force.";
        foreach (var id in planModels.Where(m => m != downgrade && models[m].Kind == cheaper.Kind))
        {
            if (models[id].PriceCardAt(now) is not { } replaced) continue;
            var (a, b) = (price.Rates, replaced.Rates);
            var noDearer = a.InputPerMillion <= b.InputPerMillion && a.OutputPerMillion <= b.OutputPerMillion;
            if (!noDearer || (a.InputPerMillion == b.InputPerMillion && a.OutputPerMillion == b.OutputPerMillion))
                return $"Downgrade model '{downgrade}' must be cheaper than '{id}', which it would replace past the allowance " +
                    $"(input ${Money.Format(a.InputPerMillion)} vs ${Money.Format(b.InputPerMillion)}, output ${Money.Format(a.OutputPerMillion)} vs ${Money.Format(b.OutputPerMillion)} per 1M tokens).";
        }
        return null;
    }

    private static async Task<Results<Ok<SubscriptionDto>, ApiErrorResult>> GetSubscriptionAsync(string customerId, CatalogState catalog, IAllowanceWindows allowances)
    {
        if (!catalog.Current.Customers.ContainsKey(customerId)) return ApiErrorResult.NotFound("customer", customerId);
        return catalog.Current.Subscriptions.TryGetValue(customerId, out var subscription)
            ? TypedResults.Ok(SubscriptionDto.From(subscription, await allowances.ReadAsync(subscription)))
            : ApiErrorResult.NotFound("subscription of customer", customerId);
    }

    private static async Task<Results<Created<SubscriptionDto>, ApiErrorResult>> StartAsync(
        string customerId, SubscriptionRequest? body, ClaimsPrincipal user, CatalogState catalog, SubscriptionLifecycle lifecycle, IAllowanceWindows allowances,
        CancellationToken cancellationToken)
    {
        if (!catalog.Current.Customers.TryGetValue(customerId, out var customer)) return ApiErrorResult.NotFound("customer", customerId);
        if (body?.PlanId is not { } planId || !catalog.Current.Plans.TryGetValue(planId, out var plan)) return ApiErrorResult.Invalid("'plan_id' must name an existing plan.", "plan_id");
        if (body.TrialDays is < 0 or > 365) return ApiErrorResult.Invalid("'trial_days' must be from 0 to 365.", "trial_days");
        try
        {
            var started = await lifecycle.StartAsync(customer, plan, body.TrialDays ?? 0, user.Actor(), cancellationToken);
            return TypedResults.Created($"/admin/v1/customers/{customerId}/subscription", SubscriptionDto.From(started, await allowances.ReadAsync(started)));
        }
        catch (SubscriptionLifecycle.RefusedException ex)
        {
            return ApiErrorResult.Conflict(ex.Message, ex.Code);
        }
    }

    private static async Task<Results<Ok<SubscriptionDto>, ApiErrorResult>> ChangeAsync(
        string customerId, SubscriptionRequest? body, ClaimsPrincipal user, CatalogState catalog, SubscriptionLifecycle lifecycle, IAllowanceWindows allowances,
        CancellationToken cancellationToken)
    {
        if (!catalog.Current.Customers.TryGetValue(customerId, out var customer)) return ApiErrorResult.NotFound("customer", customerId);
        if (body?.PlanId is not { } planId || !catalog.Current.Plans.TryGetValue(planId, out var plan)) return ApiErrorResult.Invalid("'plan_id' must name an existing plan.", "plan_id");
        try
        {
            var changed = await lifecycle.ChangePlanAsync(customer, plan, user.Actor(), cancellationToken);
            return TypedResults.Ok(SubscriptionDto.From(changed, await allowances.ReadAsync(changed)));
        }
        catch (SubscriptionLifecycle.RefusedException ex)
        {
            return ApiErrorResult.Conflict(ex.Message, ex.Code);
        }
    }

    private static async Task<Results<Ok<SubscriptionDto>, ApiErrorResult>> SetCancelAsync(
        string customerId, bool cancel, ClaimsPrincipal user, CatalogState catalog, SubscriptionLifecycle lifecycle, IAllowanceWindows allowances, CancellationToken cancellationToken)
    {
        if (!catalog.Current.Customers.TryGetValue(customerId, out var customer)) return ApiErrorResult.NotFound("customer", customerId);
        try
        {
            var changed = await lifecycle.SetCancelAtPeriodEndAsync(customer, cancel, user.Actor(), cancellationToken);
            return TypedResults.Ok(SubscriptionDto.From(changed, await allowances.ReadAsync(changed)));
        }
        catch (SubscriptionLifecycle.RefusedException ex)
        {
            return ApiErrorResult.Conflict(ex.Message, ex.Code);
        }
    }

}

/// <summary><c>trial_days</c> only when starting; a change to a dearer plan applies now (prorated), to a cheaper one at period end.</summary>
internal sealed record SubscriptionRequest(string? PlanId, int? TrialDays);

internal sealed record WindowDto(string Name, string? Model, long Used, long Size, long Remaining, DateTimeOffset? ResetsAt);

internal sealed record SubscriptionDto(
    string Id, string CustomerId, string Plan, string PlanName, string MonthlyPrice, string Status, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd,
    DateTimeOffset? TrialEnd, bool CancelAtPeriodEnd, string? NextPlan, IReadOnlyList<WindowDto> Windows)
{
    public static SubscriptionDto From(SubscriptionEntry s, IReadOnlyList<WindowView> windows) => new(
        s.Id, s.CustomerId, s.Plan.Id, s.Plan.Name, Money.Format(s.Plan.MonthlyPrice), StoredNames.Of(s.Status), s.PeriodStart, s.PeriodEnd, s.TrialEnd,
        s.CancelAtPeriodEnd, s.NextPlanId, [.. windows.Select(w => new WindowDto(w.Name, w.Model, w.Used, w.Size, w.Remaining, w.ResetsAt))]);
}
