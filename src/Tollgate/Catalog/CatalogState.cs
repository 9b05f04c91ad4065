namespace Tollgate.Catalog;

/// <summary>Holds the current <see cref="CatalogSnapshot"/>; readers take it without locks.</summary>
internal sealed class CatalogState
{
    private CatalogSnapshot _current = CatalogSnapshot.Empty;

    public CatalogSnapshot Current => Volatile.Read(ref _current);

    public void Swap(CatalogSnapshot next) => Volatile.Write(ref _current, next);
}
