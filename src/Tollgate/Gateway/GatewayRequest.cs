using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Upstreams;

namespace Tollgate.Gateway;

/// <summary>
/// Everything one data-plane request carries from stage to stage: one typed object, set as an
/// HTTP feature, instead of loose <c>HttpContext.Items</c>.
/// </summary>
internal sealed class GatewayRequest(HttpContext http, ModelOperation operation, string requestId, DateTimeOffset startedAt) : IDisposable
{
    private byte[]? _rentedBody;

    public HttpContext Http { get; } = http;
    public ModelOperation Operation { get; } = operation;
    public string RequestId { get; } = requestId;

    /// <summary>The wire format the client speaks when it is not chat completions; its body is translated to chat at admission.</summary>
    public Surfaces.WireSurface? Surface { get; init; }
    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>The instant the charge is dated in the wallet's history: the start, to the millisecond the usage event stores.</summary>
    public DateTimeOffset FundedAt { get; } = Storage.UnixTime.FromStored(Storage.UnixTime.ToStored(startedAt));
    public long StartTimestamp { get; } = Stopwatch.GetTimestamp();

    // authenticate
    public CatalogSnapshot Snapshot { get; set; } = CatalogSnapshot.Empty;
    public KeyEntry Key { get; set; } = null!;
    public CustomerEntry Customer { get; set; } = null!;

    // admit
    public JsonDocument Body { get; private set; } = null!;
    public int BodyBytes { get; private set; }
    public ModelEntry Model { get; set; } = null!;
    public PriceCard Price { get; set; } = null!;

    /// <summary>The distillation watch's day this gated-model request counts in; told when the request ends.</summary>
    public Distillation.DayStats? Watched { get; set; }

    /// <summary>How the customer was admitted to a gated model; null for other models.</summary>
    public Billing.Contracts.GatePath? GateVia { get; set; }

    /// <summary>The customer's contract in force when the request started, which may price it below list.</summary>
    public Billing.Contracts.Contract? Contract { get; set; }

    /// <summary>What this customer pays per token for the model now chosen: contract rates, else list.</summary>
    public Billing.Pricing.TokenRates ChargeRates => Contract?.ChargeRates(Model.Id, Price.Rates) ?? Price.Rates;

    public bool Stream { get; set; }

    /// <summary>The client asked for the usage chunk (<c>stream_options.include_usage</c>).</summary>
    public bool ClientWantsUsage { get; set; }

    /// <summary>The output cap sent to the backend: the request's own, else the model's maximum.</summary>
    public int OutputCap { get; set; }

    public int Choices { get; set; } = 1;

    /// <summary>Parts whose cost their bytes do not bound (images, audio), counted in the raw body.</summary>
    public int MediaParts { get; private set; }

    // limit
    public Limits.LimitHold? Limits { get; set; }

    /// <summary>Across a cluster, the rate limits left for the reservation to take in its own Redis call (one round trip for both).</summary>
    public Limits.JoinedLimits? PendingLimits { get; set; }

    // limit: subscription allowance
    /// <summary>Units taken from the subscription's windows: the request is inside the allowance and charged nothing.</summary>
    public Subscriptions.AllowanceHold? Allowance { get; set; }

    /// <summary>The model the client asked for, when the plan's overage policy served a cheaper one.</summary>
    public string? DowngradedFrom { get; set; }

    // reserve
    public Budgets.Reservation? Reservation { get; set; }

    // route + forward
    public BackendEntry? Backend { get; set; }
    public BackendResponse? Response { get; set; }
    public int? TimeToFirstTokenMs { get; set; }

    /// <summary>Text forwarded to the client, kept in memory only, to count tokens if the backend's usage is missing.</summary>
    public StringBuilder? ForwardedText { get; set; }

    // meter + settle
    public TokenUsage Usage { get; set; }
    public UsageSource UsageSource { get; set; }
    public UsageStatus Status { get; set; } = UsageStatus.Completed;
    public decimal ListAmount { get; set; }
    public decimal ChargedAmount { get; set; }
    public decimal CostToServe { get; set; }

    public int ElapsedMs => (int)Stopwatch.GetElapsedTime(StartTimestamp).TotalMilliseconds;

    /// <summary>Adopts the pooled buffer the body was read into; it is returned when the request ends.</summary>
    public void SetBody(byte[] rented, int length, JsonDocument document)
    {
        _rentedBody = rented;
        BodyBytes = length;
        Body = document;
        MediaParts = CountOccurrences(rented.AsSpan(0, length), "\"image_url\""u8) + CountOccurrences(rented.AsSpan(0, length), "\"input_audio\""u8);
    }

    /// <summary>Replaces the client's body by its chat-completions translation, which every later stage reads.</summary>
    public void ReplaceBody(byte[] translated)
    {
        var rented = ArrayPool<byte>.Shared.Rent(translated.Length);
        translated.CopyTo(rented, 0);
        Body?.Dispose();
        if (_rentedBody is not null) ArrayPool<byte>.Shared.Return(_rentedBody);
        _rentedBody = null;
        SetBody(rented, translated.Length, JsonDocument.Parse(rented.AsMemory(0, translated.Length)));
    }

    private static int CountOccurrences(ReadOnlySpan<byte> text, ReadOnlySpan<byte> what)
    {
        var count = 0;
        for (int at; (at = text.IndexOf(what)) >= 0; text = text[(at + what.Length)..]) count++;
        return count;
    }

    public void Dispose()
    {
        // Whatever path the request took, a reservation it still holds is given back.
        Reservation?.Release();
        Allowance?.Release();
        Limits?.Release();
        Watched?.Completed(Usage.InputTokens, Usage.OutputTokens);
        Watched = null;
        Body?.Dispose();
        if (_rentedBody is not null) ArrayPool<byte>.Shared.Return(_rentedBody);
        _rentedBody = null;
    }
}
