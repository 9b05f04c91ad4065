using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Billing;
using Tollgate.Billing.Catalog;
using Tollgate.Catalog;
using Tollgate.Contracts;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>Enterprise contracts (scope <c>billing</c>), gate rules and invitations (scope <c>gates</c>).</summary>
internal static class ContractEndpoints
{
    public static void MapContracts(this RouteGroupBuilder admin)
    {
        var billing = AdminScopes.Policy(AdminScopes.Billing);
        var gates = AdminScopes.Policy(AdminScopes.Gates);
        var read = AdminScopes.Policy(AdminScopes.Read);
        admin.MapGet("/contracts", ListContracts).RequireAuthorization(read);
        admin.MapGet("/contracts/{contractId}", (string contractId, ContractService contracts, TimeProvider time) =>
            Run(() => ContractDto.From(contracts.Get(contractId), time.GetUtcNow()))).RequireAuthorization(read);
        admin.MapPost("/contracts", async (ContractRequest? body, ClaimsPrincipal user, ContractService contracts, TimeProvider time, CancellationToken ct) =>
            Created(await RunAsync(async () => ContractDto.From(await contracts.CreateAsync(body, user.Actor(), ct), time.GetUtcNow()))))
            .RequireAuthorization(billing);
        admin.MapPost("/contracts/{contractId}", (string contractId, ContractRequest? body, ClaimsPrincipal user, ContractService contracts, TimeProvider time,
            CancellationToken ct) => RunAsync(async () => ContractDto.From(await contracts.UpdateAsync(contractId, body, user.Actor(), ct), time.GetUtcNow())))
            .RequireAuthorization(billing);
        admin.MapPost("/contracts/{contractId}/cancel", (string contractId, ClaimsPrincipal user, ContractService contracts, TimeProvider time,
            CancellationToken ct) => RunAsync(async () => ContractDto.From(await contracts.CancelAsync(contractId, user.Actor(), ct), time.GetUtcNow())))
            .RequireAuthorization(billing);
        admin.MapGet("/contracts/{contractId}/progress", (string contractId, ContractService contracts, CancellationToken ct) =>
            RunAsync(async () =>
            {
                var contract = contracts.Get(contractId);
                return ContractProgressDto.From(contract.Id, contract.CustomerId, await contracts.ProgressAsync(contract, ct));
            })).RequireAuthorization(read);

        admin.MapGet("/gates", ListGates).RequireAuthorization(read);
        admin.MapGet("/gates/{modelId}", (string modelId, CatalogState catalog) => Run(() => Gate(catalog.Current, modelId))).RequireAuthorization(read);
        admin.MapPut("/gates/{modelId}", (string modelId, GateRuleDto? body, ClaimsPrincipal user, ContractService contracts, CatalogState catalog,
            CancellationToken ct) => RunAsync(async () =>
            {
                await contracts.PutRuleAsync(modelId, body, user.Actor(), ct);
                return Gate(catalog.Current, modelId);
            })).RequireAuthorization(gates);
        admin.MapDelete("/gates/{modelId}", (string modelId, ClaimsPrincipal user, ContractService contracts, CatalogState catalog, CancellationToken ct) =>
            RunAsync(async () =>
            {
                await contracts.DeleteRuleAsync(modelId, user.Actor(), ct);
                return Gate(catalog.Current, modelId);
            })).RequireAuthorization(gates);

        admin.MapGet("/invitations", ListInvitationsAsync).RequireAuthorization(read);
        admin.MapPost("/invitations", async (InvitationRequest? body, ClaimsPrincipal user, ContractService contracts, TimeProvider time, CancellationToken ct) =>
            Created(await RunAsync(async () => InvitationDto.From(await contracts.InviteAsync(body, user.Actor(), ct), time.GetUtcNow()))))
            .RequireAuthorization(gates);
        admin.MapPost("/invitations/{invitationId}/revoke", (string invitationId, ClaimsPrincipal user, ContractService contracts, TimeProvider time,
            CancellationToken ct) => RunAsync(async () => InvitationDto.From(await contracts.RevokeInvitationAsync(invitationId, user.Actor(), ct), time.GetUtcNow())))
            .RequireAuthorization(gates);
    }

    private static Results<Ok<ListResponse<ContractDto>>, ApiErrorResult> ListContracts(string? customer, string? status, ContractService contracts,
        TimeProvider time)
    {
        var now = time.GetUtcNow();
        if (status is not null && !StoredNames.TryParse<Billing.Contracts.ContractStatus>(status, out _))
            return ApiErrorResult.Invalid("'status' must be scheduled, active, ended or cancelled.", "status");
        var list = contracts.All.Where(c => customer is null || c.CustomerId == customer).Select(c => ContractDto.From(c, now))
            .Where(c => status is null || c.Status == status).ToList();
        return TypedResults.Ok(new ListResponse<ContractDto>(list, false));
    }

    private static Ok<ListResponse<GateDto>> ListGates(CatalogState catalog) =>
        TypedResults.Ok(new ListResponse<GateDto>(
            [.. catalog.Current.ModelsInOrder.Where(m => m.Tier == ModelTier.Gated).Select(m => Gate(catalog.Current, m.Id))], false));

    private static async Task<Ok<ListResponse<InvitationDto>>> ListInvitationsAsync(string? customer, IContractStore store, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok(new ListResponse<InvitationDto>([.. (await store.InvitationsAsync(customer, cancellationToken)).Select(i => InvitationDto.From(i, now))], false));
    }

    private static GateDto Gate(CatalogSnapshot snapshot, string modelId)
    {
        if (!snapshot.Models.TryGetValue(modelId, out var model) || model.Tier != ModelTier.Gated)
            throw ContractRefusedException.Missing("gated model", modelId);
        var rule = snapshot.GateRules.GetValueOrDefault(modelId);
        return new GateDto(modelId, GateRuleDto.From(rule ?? Billing.Contracts.GateRule.Default(modelId)), rule is not null);
    }

    private static Results<Ok<T>, ApiErrorResult> Run<T>(Func<T> action)
    {
        try
        {
            return TypedResults.Ok(action());
        }
        catch (ContractRefusedException ex)
        {
            return new ApiErrorResult(ex.Error);
        }
    }

    private static async Task<Results<Ok<T>, ApiErrorResult>> RunAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return TypedResults.Ok(await action());
        }
        catch (ContractRefusedException ex)
        {
            return new ApiErrorResult(ex.Error);
        }
    }

    /// <summary>A creation answers 201 with what was created.</summary>
    private static Results<Created<T>, ApiErrorResult> Created<T>(Results<Ok<T>, ApiErrorResult> result) =>
        result.Result is Ok<T> ok ? TypedResults.Created((string?)null, ok.Value) : (ApiErrorResult)result.Result;
}

/// <summary>Commitment progress of a contract in one period; money as decimal strings.</summary>
internal sealed record ContractProgressDto(
    string ContractId, string CustomerId, string Period, string Commitment, string Used, string Remaining, string ProjectedUsage, string ProjectedTrueUp,
    string ElapsedShare)
{
    public static ContractProgressDto From(string contractId, string customerId, ContractProgress p) => new(
        contractId, customerId, p.Period.ToString(), Money.Format(p.Commitment), Money.Format(p.Used), Money.Format(p.Remaining),
        Money.Format(p.ProjectedUsage), Money.Format(p.ProjectedTrueUp), Money.Format(p.ElapsedShare));
}
