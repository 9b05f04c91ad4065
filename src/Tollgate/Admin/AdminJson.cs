using System.Text.Json.Serialization;

namespace Tollgate.Admin;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ListResponse<CustomerDto>))]
[JsonSerializable(typeof(ListResponse<UsageEventDto>))]
[JsonSerializable(typeof(CreateCustomerRequest))]
[JsonSerializable(typeof(CustomerDto))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreatedKeyDto))]
[JsonSerializable(typeof(PutModelRequest))]
[JsonSerializable(typeof(ModelDto))]
internal sealed partial class AdminJson : JsonSerializerContext;
