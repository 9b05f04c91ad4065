using Microsoft.AspNetCore.Mvc;
using Tollgate.Portal;

namespace Tollgate.Web.Pages.Portal;

/// <summary>Owners invite and remove the people of their customer, through the same service (and audit) as the operator.</summary>
[OwnersOnly]
internal sealed class MembersModel(CustomerUserService users) : PortalPage
{
    public IReadOnlyList<CustomerUserDto> Members { get; private set; } = [];

    public IReadOnlyList<PortalInvitationDto> Invitations { get; private set; } = [];

    /// <summary>An invitation made on this request: its link is shown once.</summary>
    public CreatedPortalInvitationDto? Created { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostInviteAsync(string? email, string? role, CancellationToken cancellationToken)
    {
        var outcome = await users.InviteAsync(CustomerId, new PortalInvitationRequest(email, role, null), User, cancellationToken);
        if (outcome.Error is { } error)
        {
            Problem = error.Error.Message;
            return RedirectToPage();
        }
        // Rendered, not redirected: the link carries a secret, which must not travel in a cookie.
        Created = outcome.Value;
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(string userId, CancellationToken cancellationToken) =>
        Done(await users.RemoveAsync(CustomerId, userId, User, cancellationToken), u => $"{u.Email} can no longer sign in.");

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Members = await users.UsersAsync(CustomerId, cancellationToken);
        Invitations = await users.InvitationsAsync(CustomerId, cancellationToken);
    }
}
