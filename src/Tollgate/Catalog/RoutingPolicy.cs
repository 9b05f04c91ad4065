namespace Tollgate.Catalog;

/// <summary>How a model's request picks its first backend; the rest follow as fallbacks. Stored by name (frozen by a test).</summary>
internal enum RoutingPolicy
{
    /// <summary>The backends in the order listed.</summary>
    Priority,

    /// <summary>One picked at random in proportion to the backends' weights.</summary>
    Weighted,

    /// <summary>The cheapest by its cost card in force now, for this request's size.</summary>
    Cost,

    /// <summary>The lowest recent latency (a moving average of time to the response or first stream event).</summary>
    Latency,
}
