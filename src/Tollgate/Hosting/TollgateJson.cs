using System.Text.Json.Serialization;
using Tollgate.Catalog;

namespace Tollgate.Hosting;

/// <summary>Source-generated JSON for what Tollgate stores or serves: snake_case, no reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(BackendSettings))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Limits.RateLimits))]
internal sealed partial class TollgateJson : JsonSerializerContext
{
}
