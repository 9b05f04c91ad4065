using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Tollgate.Hosting;
using Tollgate.Gateway;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>
/// A creating admin request (POST) sent with an <c>Idempotency-Key</c> header runs once: a retry
/// with the same key and the same request gets the first answer again; the same key with a
/// different request is refused. Keys belong to the admin token that used them.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next)
{
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
            await ReplayAsync(context, previous, hash);
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
                await store.CompleteAsync(actor, key, status, context.Response.ContentType, captured.ToArray(), CancellationToken.None);
            else
                await store.ReleaseAsync(actor, key, CancellationToken.None);
            captured.Position = 0;
            await captured.CopyToAsync(original, CancellationToken.None);
        }
    }

    private static async Task ReplayAsync(HttpContext context, StoredResponse previous, string hash)
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
        context.Response.StatusCode = status;
        if (previous.ContentType is not null) context.Response.ContentType = previous.ContentType;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (previous.Body is { Length: > 0 } body) await context.Response.Body.WriteAsync(body, context.RequestAborted);
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
