using System.Text.Json.Serialization;
using Tollgate.Bench.Load;
using Tollgate.Bench.Results;
using Tollgate.Bench.Targets;

namespace Tollgate.Bench;

/// <summary>Every JSON document the benchmark reads or writes, in snake_case as Tollgate's admin API speaks it.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WrkResult))]
[JsonSerializable(typeof(PutModel))]
[JsonSerializable(typeof(CreateCustomer))]
[JsonSerializable(typeof(CreatedId))]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(KeyImport))]
[JsonSerializable(typeof(KeyImportResult))]
[JsonSerializable(typeof(UsagePage))]
[JsonSerializable(typeof(UsageSummary))]
[JsonSerializable(typeof(BenchReport))]
[JsonSerializable(typeof(MemoryReport))]
internal sealed partial class BenchJson : JsonSerializerContext;
