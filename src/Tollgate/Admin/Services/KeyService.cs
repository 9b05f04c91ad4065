using System.Security.Claims;
using Microsoft.Extensions.Options;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Admin.Services;

/// <summary>
/// API keys: create (the secret is returned once), update scope and expiry, rotate, revoke — for the
/// admin API and the console alike. Every change reaches the data plane on the next request.
/// </summary>
internal sealed class KeyService(ICustomerStore store, CatalogRefresher refresher, CatalogState catalog, SecretHasher hasher, IOptions<MoneyBounds> bounds, TimeProvider time)
{
    /// <summary>Most keys one import may create: one transaction and one snapshot rebuild, kept to a size that commits in seconds.</summary>
    public const int ImportLimit = 10_000;

    public async Task<Outcome<CreatedKeyDto>> CreateAsync(string customerId, KeyRequest? body, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!catalog.Current.Customers.ContainsKey(customerId)) return ApiErrorResult.NotFound("customer", customerId);
        var now = time.UtcNowStored();
        if (NewKey(customerId, body, now, out var created) is { } invalid) return invalid;
        await store.CreateKeyAsync(created.Key, user.Audit("key.create", "api_key", created.Key.Id, null, created.Dto.ApiKey, AdminJson.Default.KeyDto, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return created.Dto;
    }

    /// <summary>
    /// Many keys at once, for any customers: every entry is checked first, then all are stored in
    /// one transaction (each with its own audit entry) and the snapshot is rebuilt once. Creating
    /// them one by one rebuilds the snapshot per key, which grows with the catalog.
    /// </summary>
    public async Task<Outcome<KeyImportResponse>> ImportAsync(KeyImportRequest? body, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (body?.Keys is not { Count: > 0 } entries || entries.Count > ImportLimit)
            return ApiErrorResult.Invalid($"'keys' must list 1 to {ImportLimit:N0} keys.", "keys");
        var now = time.UtcNowStored();
        var created = new List<(KeyEntry Key, CreatedKeyDto Dto)>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry?.CustomerId is not { } customerId || !catalog.Current.Customers.ContainsKey(customerId))
                return ApiErrorResult.Invalid($"keys[{i}]: no such customer: '{entry?.CustomerId}'.", $"keys[{i}].customer_id");
            var request = new KeyRequest(entry.Name, entry.Models, entry.ExpiresAt, entry.Budget, entry.BudgetPeriod, entry.RateLimits);
            if (NewKey(customerId, request, now, out var key) is { } invalid)
                return ApiErrorResult.Invalid($"keys[{i}]: {invalid.Error.Message}", $"keys[{i}].{invalid.Error.Param}");
            created.Add(key);
        }
        await store.CreateKeysAsync([.. created.Select(k => (k.Key, user.Audit("key.create", "api_key", k.Key.Id, null, k.Dto.ApiKey, AdminJson.Default.KeyDto, now)))],
            cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return new KeyImportResponse([.. created.Select(k => k.Dto)]);
    }

    /// <summary>Checks a key request and builds the key with a fresh secret, or says what is wrong.</summary>
    private ApiErrorResult? NewKey(string customerId, KeyRequest? body, DateTimeOffset now, out (KeyEntry Key, CreatedKeyDto Dto) created)
    {
        created = default;
        if (Validate(body?.Name, body?.Models, body?.ExpiresAt, now, catalog.Current) is { } invalid) return invalid;
        if (ReadBudget(body?.Budget, body?.BudgetPeriod, null, BudgetPeriod.Monthly, out var budget, out var period) is { } badBudget) return badBudget;
        if (!RateLimitsField.TryRead(body?.RateLimits, null, out var limits, out var badLimits)) return badLimits!;
        var (id, secret) = SecretFormat.ApiKey.Create();
        var key = new KeyEntry(id, customerId, body?.Name?.Trim() ?? "key", hasher.Hash(secret),
            body?.Models?.ToHashSet(StringComparer.Ordinal), body?.ExpiresAt, null, now) { Budget = budget, BudgetPeriod = period, Limits = limits };
        created = (key, new CreatedKeyDto(secret, ToDto(key, now)));
        return null;
    }

    public async Task<Outcome<KeyDto>> UpdateAsync(string keyId, KeyUpdateRequest? body, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await store.GetKeyAsync(keyId, cancellationToken) is not { } key) return ApiErrorResult.NotFound("API key", keyId);
        if (body is null) return ApiErrorResult.Invalid("A JSON body is required.", "body");
        var now = time.UtcNowStored();
        if (key.RevokedAt is not null) return ApiErrorResult.Invalid("A revoked key cannot be changed.", "key");
        if (Validate(body.Name, body.Models, body.ExpiresAt, now, catalog.Current) is { } invalid) return invalid;
        if (ReadBudget(body.Budget, body.BudgetPeriod, key.Budget, key.BudgetPeriod, out var budget, out var period) is { } badBudget) return badBudget;
        if (!RateLimitsField.TryRead(body.RateLimits, key.Limits, out var limits, out var badLimits)) return badLimits!;
        var updated = key with
        {
            Limits = limits,
            Budget = budget,
            BudgetPeriod = period,
            Name = body.Name?.Trim() ?? key.Name,
            Models = body.AllModels == true ? null : body.Models?.ToHashSet(StringComparer.Ordinal) ?? key.Models,
            ExpiresAt = body.NoExpiry == true ? null : body.ExpiresAt ?? key.ExpiresAt,
        };
        var after = ToDto(updated, now);
        await store.UpdateKeyAsync(updated, user.Audit("key.update", "api_key", keyId, ToDto(key, now), after, AdminJson.Default.KeyDto, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return after;
    }

    /// <summary>A new secret under a new key id with the same owner, name, scope and expiry; the old key stops now or after a grace period.</summary>
    public async Task<Outcome<CreatedKeyDto>> RotateAsync(string keyId, RotateKeyRequest? body, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await store.GetKeyAsync(keyId, cancellationToken) is not { } key) return ApiErrorResult.NotFound("API key", keyId);
        var now = time.UtcNowStored();
        if (!key.IsActiveAt(now)) return ApiErrorResult.Invalid("Only an active key can be rotated.", "key");
        if (body?.ExpireOldInSeconds is < 0 or > 7 * 24 * 3600)
            return ApiErrorResult.Invalid("'expire_old_in_seconds' must be from 0 to 604800 (7 days).", "expire_old_in_seconds");
        var (id, secret) = SecretFormat.ApiKey.Create();
        var replacement = key with { Id = id, SecretHash = hasher.Hash(secret), CreatedAt = now, RevokedAt = null };
        var replaced = key with { RevokedAt = now + TimeSpan.FromSeconds(body?.ExpireOldInSeconds ?? 0) };
        var dto = ToDto(replacement, now);
        await store.RotateKeyAsync(replaced, replacement,
            user.Audit("key.rotate", "api_key", keyId, ToDto(key, now), ToDto(replaced, now), AdminJson.Default.KeyDto, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return new CreatedKeyDto(secret, dto);
    }

    public async Task<Outcome<KeyDto>> RevokeAsync(string keyId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await store.GetKeyAsync(keyId, cancellationToken) is not { } key) return ApiErrorResult.NotFound("API key", keyId);
        var now = time.UtcNowStored();
        if (key.RevokedAt is { } revokedAt && revokedAt <= now) return ToDto(key, now);
        var revoked = key with { RevokedAt = now };
        var after = ToDto(revoked, now);
        await store.UpdateKeyAsync(revoked, user.Audit("key.revoke", "api_key", keyId, ToDto(key, now), after, AdminJson.Default.KeyDto, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return after;
    }

    private static ApiErrorResult? Validate(string? name, string[]? models, DateTimeOffset? expiresAt, DateTimeOffset now, CatalogSnapshot catalog)
    {
        if (name is not null && (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 200))
            return ApiErrorResult.Invalid("'name' must be 1 to 200 characters.", "name");
        if (models is not null && (models.Length == 0 || models.Any(string.IsNullOrWhiteSpace)))
            return ApiErrorResult.Invalid("'models' must be a non-empty list of model ids, or omitted for every model.", "models");
        // A scope naming a model that does not exist is a typo that silently leaves the key able to call nothing.
        if (models?.FirstOrDefault(m => !catalog.Models.ContainsKey(m)) is { } unknown)
            return ApiErrorResult.Invalid($"'models' names a model that does not exist: '{(unknown.Length > 100 ? unknown[..100] : unknown)}'.", "models");
        if (expiresAt is { } expires && expires <= now)
            return ApiErrorResult.Invalid("'expires_at' must be in the future.", "expires_at");
        return null;
    }

    private ApiErrorResult? ReadBudget(string? text, string? periodText, decimal? current, BudgetPeriod currentPeriod, out decimal? budget, out BudgetPeriod period)
    {
        period = currentPeriod;
        if (!MoneyField.TryRead(text, current, "budget", bounds.Value.MaxBudget, out budget, out var error)) return error;
        if (periodText is not null && (!StoredNames.TryParse(periodText, out period) || period == BudgetPeriod.Wallet))
            return ApiErrorResult.Invalid("'budget_period' must be 'monthly' or 'lifetime'.", "budget_period");
        return null;
    }

    public static KeyDto ToDto(KeyEntry k, DateTimeOffset now) => new(
        k.Id, SecretFormat.ApiKey.DisplayPrefix(k.Id), k.CustomerId, k.Name, k.Models?.Order(StringComparer.Ordinal).ToArray(), k.ExpiresAt, k.RevokedAt, k.CreatedAt,
        k.RevokedAt is { } r && r <= now ? "revoked" : k.ExpiresAt is { } e && e <= now ? "expired" : "active",
        MoneyField.Format(k.Budget), k.Budget is null ? null : StoredNames.Of(k.BudgetPeriod), k.Limits);
}
