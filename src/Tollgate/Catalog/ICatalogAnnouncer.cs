namespace Tollgate.Catalog;

/// <summary>Tells the other nodes of a cluster that the catalog changed, so they reload at once rather than at their next version check.</summary>
internal interface ICatalogAnnouncer
{
    /// <summary>Best effort: a lost announcement only delays the others until their version check.</summary>
    Task AnnounceAsync(long version);
}
