using Microsoft.Extensions.Options;

namespace Tollgate.Portal;

/// <summary>The customer portal's settings (section <c>Portal</c>).</summary>
internal sealed record PortalOptions
{
    public const string Section = "Portal";

    /// <summary>An invitation link works this long unless the invitation says otherwise.</summary>
    public int InvitationHours { get; init; } = 72;

    /// <summary>The longest an invitation may be made to last.</summary>
    public int MaxInvitationHours { get; init; } = 720;

    /// <summary>Wrong passwords one account may see per throttle window (per address, the shared security limit applies too).</summary>
    public int SignInFailuresPerAccount { get; init; } = 10;
}

internal sealed class PortalOptionsValidator : IValidateOptions<PortalOptions>
{
    public ValidateOptionsResult Validate(string? name, PortalOptions options) =>
        options.InvitationHours < 1 || options.MaxInvitationHours < options.InvitationHours || options.MaxInvitationHours > 24 * 365
            ? ValidateOptionsResult.Fail("Portal: InvitationHours must be at least 1 and at most MaxInvitationHours, which is at most 8760 (a year).")
            : options.SignInFailuresPerAccount < 1
                ? ValidateOptionsResult.Fail("Portal:SignInFailuresPerAccount must be at least 1.")
                : ValidateOptionsResult.Success;
}
