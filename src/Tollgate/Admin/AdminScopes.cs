namespace Tollgate.Admin;

/// <summary>What an admin token may do. <c>full</c> includes every other scope.</summary>
internal static class AdminScopes
{
    public const string Read = "read";
    public const string Keys = "keys";
    public const string Billing = "billing";
    public const string Gates = "gates";
    public const string Full = "full";

    public static readonly IReadOnlyList<string> All = [Read, Keys, Billing, Gates, Full];

    public const string ClaimType = "scope";
    public const string TokenIdClaim = "token_id";

    /// <summary>Any valid admin token; each route adds the scope it needs.</summary>
    public const string AuthenticatedPolicy = "admin";

    public static string Policy(string scope) => "admin:" + scope;
}
