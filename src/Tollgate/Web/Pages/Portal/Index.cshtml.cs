using Tollgate.Admin;
using Tollgate.Admin.Services;
using Tollgate.Catalog;

namespace Tollgate.Web.Pages.Portal;

/// <summary>The signed-in customer's account: who they are and their balance, read through the admin API's wallet service.</summary>
internal sealed class IndexModel(CatalogState catalog, WalletService wallets) : PortalPage
{
    public CustomerEntry Customer { get; private set; } = null!;

    public WalletDto? Wallet { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Customer = catalog.Current.Customers[CustomerId];
        Wallet = (await wallets.GetAsync(CustomerId, cancellationToken)).Value;
    }
}
