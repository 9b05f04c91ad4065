using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Security;

namespace Tollgate.Gateway.Stages;

/// <summary>API key → key, customer: from the in-memory snapshot, never the database.</summary>
internal sealed class Authenticate(CatalogState catalog, SecretHasher hasher, AuthFailureThrottle throttle, HeldAccounts held, TimeProvider time)
{
    public ApiError? Run(GatewayRequest request)
    {
        var snapshot = catalog.Current;
        request.Snapshot = snapshot;
        var header = request.Http.Request.Headers.Authorization.ToString();
        // Anthropic's clients send the key in x-api-key: the same Tollgate keys, on the Messages surface only.
        if (header.Length == 0 && request.Surface is { AcceptsApiKeyHeader: true } && request.Http.Request.Headers["x-api-key"].ToString() is { Length: > 0 } apiKey)
            header = "Bearer " + apiKey;
        if (header.Length == 0)
            return ApiError.InvalidApiKey("You didn't provide an API key. Send it in the Authorization header as 'Bearer tg_...'.");
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return ApiError.InvalidApiKey("The Authorization header must be 'Bearer <api key>'.");
        var client = request.Http.Connection.RemoteIpAddress;
        if (throttle.IsBlocked(client, out var retryAfter))
        {
            ApiErrorWriter.SetRetryAfter(request.Http.Response, retryAfter);
            return ApiError.TooManyAuthFailures(retryAfter);
        }
        var secret = header.AsSpan(7).Trim();
        if (Check(request, snapshot, secret) is { } refused)
        {
            throttle.RecordFailure(client);
            return refused;
        }
        return held.Reason(request.Customer.Id) is null
            ? null
            : new ApiError(StatusCodes.Status403Forbidden, "invalid_request_error", "account_held",
                "This account is held closed because its stored balance could not be loaded. Contact the operator.");
    }

    private ApiError? Check(GatewayRequest request, CatalogSnapshot snapshot, ReadOnlySpan<char> secret)
    {
        // One answer for every kind of wrong key, so probing learns nothing about which ids exist.
        var invalid = ApiError.InvalidApiKey($"Incorrect API key provided: {Redact(secret)}.");
        if (!SecretFormat.ApiKey.TryGetId(secret, out var id) || !snapshot.Keys.TryGetValue(id, out var key)) return invalid;
        if (!hasher.Matches(secret.ToString(), key.SecretHash)) return invalid;
        if (!key.IsActiveAt(time.GetUtcNow()))
            return ApiError.InvalidApiKey(key.RevokedAt is null ? "This API key has expired." : "This API key has been revoked.");
        if (!snapshot.Customers.TryGetValue(key.CustomerId, out var customer)) return invalid;
        request.Key = key;
        request.Customer = customer;
        return null;
    }

    /// <summary>Shows only enough of a presented key to recognise it, as OpenAI does.</summary>
    private static string Redact(ReadOnlySpan<char> secret) =>
        secret.Length <= 8 ? "****" : $"{secret[..Math.Min(6, secret.Length - 4)]}****{secret[^4..]}";
}
