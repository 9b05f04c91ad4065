using System.Text.Json.Serialization;

namespace Tollgate.Admin;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ListResponse<CustomerDto>))]
[JsonSerializable(typeof(ListResponse<KeyDto>))]
[JsonSerializable(typeof(ListResponse<ModelDto>))]
[JsonSerializable(typeof(ListResponse<UsageEventDto>))]
[JsonSerializable(typeof(ListResponse<AdminTokenDto>))]
[JsonSerializable(typeof(ListResponse<AuditEntryDto>))]
[JsonSerializable(typeof(CustomerRequest))]
[JsonSerializable(typeof(CustomerDto))]
[JsonSerializable(typeof(GrantRequest))]
[JsonSerializable(typeof(GrantDto))]
[JsonSerializable(typeof(WalletDto))]
[JsonSerializable(typeof(KeyRequest))]
[JsonSerializable(typeof(KeyUpdateRequest))]
[JsonSerializable(typeof(RotateKeyRequest))]
[JsonSerializable(typeof(KeyDto))]
[JsonSerializable(typeof(CreatedKeyDto))]
[JsonSerializable(typeof(ModelRequest))]
[JsonSerializable(typeof(RatesDto))]
[JsonSerializable(typeof(ModelDto))]
[JsonSerializable(typeof(UsageSummaryDto))]
[JsonSerializable(typeof(AdminTokenRequest))]
[JsonSerializable(typeof(AdminTokenDto))]
[JsonSerializable(typeof(CreatedAdminTokenDto))]
internal sealed partial class AdminJson : JsonSerializerContext;
