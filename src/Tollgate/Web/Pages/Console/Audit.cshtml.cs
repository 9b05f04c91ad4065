using Microsoft.AspNetCore.Mvc;
using Tollgate.Storage;

namespace Tollgate.Web.Pages.Console;

/// <summary>The append-only audit log, newest first, filtered by target or actor.</summary>
internal sealed class AuditModel(IAuditLog audit) : ConsolePage
{
    [BindProperty(SupportsGet = true)]
    public string? Target { get; set; }

    [BindProperty(SupportsGet = true, Name = "by")]
    public string? By { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? After { get; set; }

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public bool HasMore { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var page = await audit.ListAsync(new AuditFilter(null, string.IsNullOrWhiteSpace(Target) ? null : Target.Trim(), string.IsNullOrWhiteSpace(By) ? null : By.Trim()),
            new Storage.Page(50, string.IsNullOrWhiteSpace(After) ? null : After), cancellationToken);
        Entries = page.Items;
        HasMore = page.HasMore;
    }
}
