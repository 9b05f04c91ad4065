using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Tollgate.Admin;
using Tollgate.Admin.Services;
using Tollgate.Storage;

namespace Tollgate.Web.Pages.Portal;

/// <summary>
/// The customer's API keys through the admin API's key service (one validation, one audit naming the portal user): owners
/// see and manage every key of their customer, developers only the keys they made here. A key of anyone else is "not found".
/// </summary>
internal sealed class KeysModel(KeyService keys, ICustomerStore store, ICustomerUserStore users, TimeProvider time) : PortalPage
{
    public IReadOnlyList<KeyDto> Keys { get; private set; } = [];

    /// <summary>A key created or rotated on this request: its secret is shown once and never again.</summary>
    public CreatedKeyDto? CreatedKey { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(string? name, string? models, string? expires, string? budget, CancellationToken cancellationToken)
    {
        DateTimeOffset? expiresAt = null;
        if (!string.IsNullOrWhiteSpace(expires))
        {
            if (!DateOnly.TryParseExact(expires.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                Problem = "The expiry must be a date (yyyy-mm-dd).";
                return RedirectToPage();
            }
            expiresAt = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }
        var scoped = string.IsNullOrWhiteSpace(models) ? null : models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var request = new KeyRequest(string.IsNullOrWhiteSpace(name) ? null : name, scoped, expiresAt, string.IsNullOrWhiteSpace(budget) ? null : budget.Trim());
        return await ShowSecretAsync(await keys.CreateAsync(CustomerId, request, User, cancellationToken), cancellationToken);
    }

    public async Task<IActionResult> OnPostRevokeAsync(string keyId, CancellationToken cancellationToken) =>
        await MayManageAsync(keyId, cancellationToken)
            ? Done(await keys.RevokeAsync(keyId, User, cancellationToken), k => $"Key {k.Prefix}… revoked.")
            : NotFound();

    public async Task<IActionResult> OnPostRotateAsync(string keyId, int? graceHours, CancellationToken cancellationToken)
    {
        if (!await MayManageAsync(keyId, cancellationToken)) return NotFound();
        var grace = graceHours is { } hours and >= 0 and <= 168 ? hours * 3600 : (int?)null;
        if (graceHours is not null && grace is null)
        {
            Problem = "The grace period must be from 0 to 168 hours.";
            return RedirectToPage();
        }
        return await ShowSecretAsync(await keys.RotateAsync(keyId, new RotateKeyRequest(grace), User, cancellationToken), cancellationToken);
    }

    /// <summary>Rendered, not redirected: the secret must not travel in a cookie or a URL. The new key belongs to whoever made it.</summary>
    private async Task<IActionResult> ShowSecretAsync(Outcome<CreatedKeyDto> outcome, CancellationToken cancellationToken)
    {
        if (outcome.Error is { } error)
        {
            Problem = error.Error.Message;
            return RedirectToPage();
        }
        CreatedKey = outcome.Value!;
        await users.SetKeyOwnerAsync(CreatedKey.ApiKey.Id, UserId, cancellationToken);
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task<bool> MayManageAsync(string keyId, CancellationToken cancellationToken) =>
        await store.GetKeyAsync(keyId, cancellationToken) is { } key && key.CustomerId == CustomerId
        && (IsOwner || (await users.KeyOwnersAsync(CustomerId, cancellationToken)).GetValueOrDefault(keyId) == UserId);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var all = (await store.ListKeysAsync(CustomerId, new Storage.Page(Storage.Page.MaxLimit), cancellationToken)).Items;
        var owners = IsOwner ? null : await users.KeyOwnersAsync(CustomerId, cancellationToken);
        Keys = [.. all.Where(k => owners is null || owners.GetValueOrDefault(k.Id) == UserId).Select(k => KeyService.ToDto(k, now))];
    }
}
