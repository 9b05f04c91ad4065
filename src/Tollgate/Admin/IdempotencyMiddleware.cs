using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Tollgate.Hosting;
using Tollgate.Gateway;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>
/// A creating admin request (POST) sent with an <c>Idempotency-Key</c> header runs once: a retry
/// with the same key and the same request gets the first answer again; the same key with a
/// different request is refused. Keys belong to the admin token that used them. An answer that
/// shows a secret once is stored sealed under a key kept only in memory: replayable until the
/// process restarts, never readable from the database.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next)
{
    private readonly SealedBox _secrets = SealedBox.Ephemeral();

    public const string Header = "Idempotency-Key";
    private const int MaxKeyLength = 255;

    public async Task InvokeAsync(HttpContext context, IIdempotencyStore store, TimeProvider time)
    {
        var key = context.Request.Headers[Header].ToString();
        if (!HttpMethods.IsPost(context.Request.Method) || key.Length == 0)
        {
            await next(context);
            return;
        }
        if (key.Length > MaxKeyLength)
        {
            await ApiErrorWriter.WriteAsync(context, ApiError.InvalidRequest($"The {Header} header must be at most {MaxKeyLength} characters.", Header));
            return;
        }
        var auth = await context.AuthenticateAsync(AdminTokenAuthentication.SchemeName);
        if (!auth.Succeeded)
        {
            await next(context); // authorization refuses it with the usual error
            return;
        }
        var actor = auth.Principal.Actor();
        var hash = await HashRequestAsync(context.Request);
        var previous = await store.ClaimAsync(actor, key, hash, time.UtcNowStored(), context.RequestAborted);
        if (previous is not null)
        {
            await ReplayAsync(context, previous, hash, HoldsSecret(context) ? _secrets : null);
            return;
        }

        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        var completed = false;
        try
        {
            await next(context);
            completed = true;
        }
        finally
        {
            context.Response.Body = original;
            var status = context.Response.StatusCode;
            if (completed && status < 500)
            {
                var body = captured.ToArray();
                if (HoldsSecret(context) && body.Length > 0) body = _secrets.Seal(body);
                await store.CompleteAsync(actor, key, status, context.Response.ContentType, body, CancellationToken.None);
            }
            else
                await store.ReleaseAsync(actor, key, CancellationToken.None);
            captured.Position = 0;
            await captured.CopyToAsync(original, CancellationToken.None);
        }
    }

    private static bool HoldsSecret(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<ShowsSecretOnce>() is not null;

    private static async Task ReplayAsync(HttpContext context, StoredResponse previous, string hash, SealedBox? secrets)
    {
        if (previous.RequestHash != hash)
        {
            await ApiErrorWriter.WriteAsync(context, new ApiError(StatusCodes.Status400BadRequest, "invalid_request_error", "idempotency_key_reused",
                $"This {Header} was already used with a different request. Use a new key for a new request.", Header));
            return;
        }
        if (previous.Status is not { } status)
        {
            await ApiErrorWriter.WriteAsync(context, new ApiError(StatusCodes.Status409Conflict, "invalid_request_error", "idempotency_key_in_use",
                $"A request with this {Header} is still being processed. Retry shortly."), TimeSpan.FromSeconds(1));
            return;
        }
        var body = previous.Body;
        if (secrets is not null && body is { Length: > 0 }) body = secrets.TryOpen(body);
        if (body is null && previous.Body is not null)
        {
            await ApiErrorWriter.WriteAsync(context, new ApiError(StatusCodes.Status409Conflict, "invalid_request_error", "idempotency_replay_unavailable",
                $"This request already succeeded, but its answer held a secret that is shown once and Tollgate has restarted since. " +
                "List the resource to find it, and rotate it for a new secret.", Header));
            return;
        }
        context.Response.StatusCode = status;
        if (previous.ContentType is not null) context.Response.ContentType = previous.ContentType;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (body is { Length: > 0 }) await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static async Task<string> HashRequestAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        var prefix = Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n");
        return Convert.ToHexStringLower(SHA256.HashData([.. prefix, .. body.ToArray()]));
    }
}
