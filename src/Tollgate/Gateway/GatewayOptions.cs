namespace Tollgate.Gateway;

/// <summary>Data-plane limits. Code defaults, then configuration, then validation at start.</summary>
internal sealed record GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Largest request body accepted; larger ones get 413 before anything is parsed.</summary>
    public int MaxRequestBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most completions one request may ask for (<c>n</c>).</summary>
    public int MaxChoices { get; init; } = 16;
}
