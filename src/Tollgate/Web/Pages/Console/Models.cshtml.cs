using Tollgate.Catalog;
using Tollgate.Upstreams;

namespace Tollgate.Web.Pages.Console;

/// <summary>The catalog: each model's price card in force, and its backends with their cost cards and health.</summary>
internal sealed class ModelsModel(CatalogState catalog, BackendHealth health, TimeProvider time) : ConsolePage
{
    public IReadOnlyList<ModelEntry> Models { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public bool IsHealthy(string backendId) => health.IsHealthy(backendId);

    public void OnGet()
    {
        Now = time.GetUtcNow();
        Models = catalog.Current.ModelsInOrder;
    }
}
