using System.Text.Json.Serialization;

namespace Tollgate.Gateway;

/// <summary>Source-generated JSON for the few documents the gateway builds itself.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SyntheticChunk))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelObject))]
[JsonSerializable(typeof(AccountDocument))]
[JsonSerializable(typeof(AccountUsage))]
[JsonSerializable(typeof(AccountInvoices))]
internal sealed partial class GatewayJson : JsonSerializerContext;

/// <summary>The usage-only chunk written when a backend's stream carried no usage but the client asked for it.</summary>
internal sealed record SyntheticChunk(string Id, string Object, long Created, string Model, object[] Choices);

internal sealed record ModelList(string Object, IReadOnlyList<ModelObject> Data);

internal sealed record ModelObject(string Id, string Object, long Created, string OwnedBy);
