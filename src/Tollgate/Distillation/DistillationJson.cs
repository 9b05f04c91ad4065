using System.Text.Json.Serialization;

namespace Tollgate.Distillation;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DistillationSignals))]
[JsonSerializable(typeof(FlagRaisedData))]
internal sealed partial class DistillationJson : JsonSerializerContext;

/// <summary>The <c>flag.raised</c> webhook's data: who, which model and day, the score and its evidence.</summary>
internal sealed record FlagRaisedData(string FlagId, string CustomerId, string Model, string Day, double Score, DistillationSignals Evidence);
