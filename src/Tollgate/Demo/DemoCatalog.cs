using Tollgate.Billing.Catalog;
using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Tokenization;
using Tollgate.Upstreams.Simulator;

namespace Tollgate.Demo;

/// <summary>The models a new database starts with, so the product does real work out of the box.</summary>
internal static class DemoCatalog
{
    public sealed record DemoModel(ModelDefinition Definition, TokenRates Price, TokenRates Cost);

    /// <summary>
    /// The chat models run on the simulator; <c>tg-embed</c> on the built-in MiniLM model (real
    /// embeddings out of the box), or on the simulator for load tests of the gateway itself.
    /// </summary>
    public static IReadOnlyList<DemoModel> Models(bool simulatedEmbeddings) =>
    [
        Chat("tg-mini", ModelTier.Standard, 16_384, new(0.15m, 0.075m, 0.60m), new(0.03m, 0.015m, 0.12m)),
        Chat("tg-pro", ModelTier.Premium, 32_768, new(2.50m, 1.25m, 10.00m), new(0.60m, 0.30m, 2.40m)),
        Chat("tg-flagship", ModelTier.Gated, 65_536, new(15.00m, 7.50m, 60.00m), new(4.00m, 2.00m, 16.00m)),
        Embed(simulatedEmbeddings),
    ];

    // Cost cards are per token for now; an own-hardware card (hourly cost over rated throughput) would suit the local model better.
    private static DemoModel Embed(bool simulated) =>
        new(new ModelDefinition("tg-embed", ModelKind.Embeddings, ModelTier.Standard, TokenCounter.DefaultEncoding, 0,
                simulated ? SimulatorBackend.OwnedBy : "tollgate",
                [simulated
                    ? new BackendDefinition("tg-embed-sim", BackendKind.Simulator, new BackendSettings { SimulatorEmbeddingDimensions = 384 })
                    : new BackendDefinition("tg-embed-local", BackendKind.LocalEmbeddings, new BackendSettings { Concurrency = 1, QueueLength = 64 })]),
            new(0.02m, 0.02m, 0m), new(0.005m, 0.005m, 0m));

    private static DemoModel Chat(string id, ModelTier tier, int maxOutput, TokenRates price, TokenRates cost) =>
        new(new ModelDefinition(id, ModelKind.Chat, tier, TokenCounter.DefaultEncoding, maxOutput, SimulatorBackend.OwnedBy,
                [new BackendDefinition(id + "-sim", BackendKind.Simulator, new BackendSettings
                {
                    SimulatorTimeToFirstTokenMs = 40,
                    SimulatorTokensPerSecond = 400,
                })]),
            price, cost);
}
