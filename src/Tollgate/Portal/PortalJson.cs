using System.Text.Json.Serialization;
using Tollgate.Admin;

namespace Tollgate.Portal;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PortalInvitationRequest))]
[JsonSerializable(typeof(PortalInvitationDto))]
[JsonSerializable(typeof(CreatedPortalInvitationDto))]
[JsonSerializable(typeof(CustomerUserDto))]
[JsonSerializable(typeof(ListResponse<PortalInvitationDto>))]
[JsonSerializable(typeof(ListResponse<CustomerUserDto>))]
internal sealed partial class PortalJson : JsonSerializerContext;
