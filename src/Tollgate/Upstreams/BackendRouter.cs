using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Gateway;

namespace Tollgate.Upstreams;

/// <summary>
/// Orders a model's backends for one request by the model's routing policy. Healthy backends come
/// first in the policy's order, then those whose circuit breaker is open: whichever is picked, the
/// others remain fallbacks, tried in turn.
/// </summary>
internal sealed class BackendRouter(BackendHealth health, TimeProvider time)
{
    public BackendEntry[] Order(GatewayRequest request)
    {
        var backends = request.Model.Backends;
        if (backends.Count == 1) return [backends[0]];
        var healthy = new List<BackendEntry>(backends.Count);
        var broken = new List<BackendEntry>();
        foreach (var backend in backends) (health.IsHealthy(backend.Id) ? healthy : broken).Add(backend);
        if (healthy.Count > 1)
        {
            switch (request.Model.Routing)
            {
                case RoutingPolicy.Weighted:
                    MoveToFront(healthy, PickWeighted(healthy));
                    break;
                case RoutingPolicy.Cost:
                    var now = time.GetUtcNow();
                    // Bytes bound tokens from above, and the output cap is what the backend may use: an upper bound per backend.
                    var size = new TokenUsage(request.BodyBytes, 0, (long)request.OutputCap * request.Choices);
                    healthy = [.. healthy.OrderBy(b => b.CostCardAt(now)?.CostToServe(size) ?? decimal.MaxValue)];
                    break;
                case RoutingPolicy.Latency:
                    // Unmeasured first: a new backend gets its first sample instead of never being tried.
                    healthy = [.. healthy.OrderBy(b => health.LatencyMs(b.Id) ?? 0)];
                    break;
            }
        }
        return [.. healthy, .. broken];
    }

    private static int PickWeighted(List<BackendEntry> backends)
    {
        var total = backends.Sum(b => Math.Max(1, b.Settings.Weight));
        var pick = Random.Shared.Next(total);
        for (var i = 0; i < backends.Count; i++)
        {
            pick -= Math.Max(1, backends[i].Settings.Weight);
            if (pick < 0) return i;
        }
        return 0;
    }

    private static void MoveToFront(List<BackendEntry> backends, int index)
    {
        if (index == 0) return;
        var picked = backends[index];
        backends.RemoveAt(index);
        backends.Insert(0, picked);
    }
}
