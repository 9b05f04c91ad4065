using System.Text.Json.Serialization;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>A page of a list as the CLI reads it; the server's own list type is built for writing only.</summary>
internal sealed record ApiList<T>(IReadOnlyList<T> Data, bool HasMore);

/// <summary>
/// Reads the admin API's documents into the same DTOs the server writes, so a renamed field
/// breaks the build rather than a table.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ApiList<CustomerDto>))]
[JsonSerializable(typeof(ApiList<Subscriptions.PlanDocument>))]
[JsonSerializable(typeof(ApiList<KeyDto>))]
[JsonSerializable(typeof(ApiList<ModelDto>))]
[JsonSerializable(typeof(ApiList<UsageEventDto>))]
[JsonSerializable(typeof(ApiList<AdminTokenDto>))]
[JsonSerializable(typeof(ApiList<AuditEntryDto>))]
[JsonSerializable(typeof(ApiList<InvoiceDto>))]
[JsonSerializable(typeof(ApiList<LedgerEntryDto>))]
[JsonSerializable(typeof(ExportedInvoice))]
[JsonSerializable(typeof(ApiList<WebhookEndpointDto>))]
[JsonSerializable(typeof(ApiList<WebhookDeliveryDto>))]
[JsonSerializable(typeof(ApiList<WebhookEventDto>))]
[JsonSerializable(typeof(ApiList<Contracts.ContractDto>))]
[JsonSerializable(typeof(ApiList<Contracts.GateDto>))]
[JsonSerializable(typeof(ApiList<Contracts.InvitationDto>))]
[JsonSerializable(typeof(ApiList<Portal.PortalInvitationDto>))]
[JsonSerializable(typeof(ApiList<Portal.CustomerUserDto>))]
internal sealed partial class CliJson : JsonSerializerContext;
