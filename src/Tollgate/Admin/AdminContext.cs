using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>Who is making an admin change, and the audit entry that records it.</summary>
internal static class AdminContext
{
    /// <summary>The admin token's id (<c>env</c> for the operator's TOLLGATE_ADMIN_TOKEN).</summary>
    public static string Actor(this ClaimsPrincipal user) => user.FindFirst(AdminScopes.TokenIdClaim)?.Value ?? "unknown";

    public static AuditEntry Audit<T>(this ClaimsPrincipal user, string action, string targetType, string targetId, T? before, T? after,
        JsonTypeInfo<T> type, DateTimeOffset at) where T : class =>
        new(user.Actor(), action, targetType, targetId,
            before is null ? null : JsonSerializer.Serialize(before, type),
            after is null ? null : JsonSerializer.Serialize(after, type),
            at);
}
