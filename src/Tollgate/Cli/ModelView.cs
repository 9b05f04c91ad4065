using Spectre.Console;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>How a model, its price versions and its backends' costs look; shared by every model verb since each answers with the model.</summary>
internal static class ModelView
{
    public static readonly Column<ModelDto>[] Columns =
    [
        Column<ModelDto>.Id("ID", m => m.Id),
        new("Kind", m => Cell.Text(m.Kind)),
        new("Tier", m => Tier(m.Tier)),
        new("Servable", m => Cell.YesNo(m.Servable)),
        Column<ModelDto>.Right("Input /1M", m => Cell.Money(m.Price?.Input)),
        Column<ModelDto>.Right("Cached /1M", m => Cell.Money(m.Price?.CachedInput)),
        Column<ModelDto>.Right("Output /1M", m => Cell.Money(m.Price?.Output)),
        new("Backends", m => string.Join(", ", m.Backends.Select(b => b.Healthy ? Markup.Escape(b.Id) : $"[red]{Markup.Escape(b.Id)}[/]"))),
    ];

    private static readonly Column<RatesView>[] Rates =
    [
        Column<RatesView>.Right("Version", r => r.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Effective from", r => Cell.Time(r.EffectiveFrom)),
        Column<RatesView>.Right("Input /1M", r => Cell.Money(r.Input)),
        Column<RatesView>.Right("Cached /1M", r => Cell.Money(r.CachedInput)),
        Column<RatesView>.Right("Cache write /1M", r => Cell.Money(r.CacheWrite ?? r.Input)),
        Column<RatesView>.Right("Output /1M", r => Cell.Money(r.Output)),
        Column<RatesView>.Right("Request fee", r => Cell.Money(r.RequestFee)),
    ];

    private static readonly Column<CostCardView>[] Costs =
    [
        Column<CostCardView>.Right("Version", c => c.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Effective from", c => Cell.Time(c.EffectiveFrom)),
        new("Kind", c => Cell.Text(c.Kind)),
        Column<CostCardView>.Right("Input /1M", c => Cell.Money(c.Input)),
        Column<CostCardView>.Right("Cached /1M", c => Cell.Money(c.CachedInput)),
        Column<CostCardView>.Right("Cache write /1M", c => Cell.Money(c.CacheWrite ?? c.Input)),
        Column<CostCardView>.Right("Output /1M", c => Cell.Money(c.Output)),
        Column<CostCardView>.Right("Request fee", c => Cell.Money(c.RequestFee)),
        new("Hardware", c => c.Hardware is { } h
            ? Markup.Escape(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{h.GpuCount} × ${h.HourlyCost}/h = ${h.CostPerHour}/h over {h.RatedTokensPerHour:N0} tokens/h at {h.TargetUtilisation}"))
            : Cell.None),
    ];

    private static readonly Column<BackendView>[] Backends =
    [
        Column<BackendView>.Id("Backend", b => b.Id),
        new("Kind", b => Cell.Text(b.Kind)),
        new("Base URL", b => Cell.Text(b.BaseUrl)),
        new("Upstream model", b => Cell.Text(b.UpstreamModel)),
        new("Healthy", b => Cell.YesNo(b.Healthy)),
        Column<BackendView>.Right("Cost in /1M", b => Cell.Money(b.Cost?.Input)),
        Column<BackendView>.Right("Cost out /1M", b => Cell.Money(b.Cost?.Output)),
        Column<BackendView>.Right("Cost versions", b => b.CostHistory.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Column<BackendView>.Right("Weight", b => b.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Column<BackendView>.Right("Latency", b => b.LatencyMs is { } ms ? ms.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " ms" : Cell.None),
    ];

    public static void Show(CliOutput output, ModelDto model, string? done = null)
    {
        if (done is not null) output.Success(done);
        output.Details($"Model {model.Id}",
            ("Kind", Cell.Text(model.Kind)),
            ("Tier", Tier(model.Tier)),
            ("Servable", Cell.YesNo(model.Servable, no: "no (needs a current price and a backend)")),
            ("Tokenizer", Cell.Text(model.Tokenizer)),
            ("Routing", Cell.Text(model.Routing)),
            ("Max output tokens", Cell.Number(model.MaxOutputTokens)),
            ("Owned by", Cell.Text(model.OwnedBy)),
            ("Current price", model.Price is { } price ? $"v{price.Version}: in {Cell.Money(price.Input)}, cached {Cell.Money(price.CachedInput)}, out {Cell.Money(price.Output)} per 1M" : Cell.None),
            ("Created", Cell.Time(model.CreatedAt)));
        if (model.PriceHistory.Count > 0) output.Table(model.PriceHistory, Rates, "Price versions");
        if (model.Backends.Count > 0) output.Table(model.Backends, Backends, "Backends");
    }

    /// <summary>A backend's cost versions, after a cost change.</summary>
    public static void ShowCosts(CliOutput output, BackendView backend) => output.Table(backend.CostHistory, Costs, $"Cost versions of {backend.Id}");

    private static string Tier(string tier) => tier switch
    {
        "gated" => "[magenta]gated[/]",
        "premium" => "[blue]premium[/]",
        _ => Markup.Escape(tier),
    };
}
