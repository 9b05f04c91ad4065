using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Tollgate.Admin;
using Tollgate.Billing.Economics;

namespace Tollgate.Web.Pages.Console;

/// <summary>
/// The what-if simulator: break-even of a flat price and a scenario over months, read and
/// validated by <see cref="EconomicsMapping"/> exactly as <c>/admin/v1/economics/break-even</c> and
/// <c>/scenario</c> do. Nothing changes, so the forms need only <c>read</c>; they still carry CSRF.
/// </summary>
internal sealed class SimulatorModel : ConsolePage
{
    [BindProperty]
    public string? PlanPrice { get; set; } = "20";

    [BindProperty]
    public string? CostPerMtok { get; set; } = "0.03";

    [BindProperty]
    public long? TokensPerQuery { get; set; } = 10_000;

    [BindProperty]
    public int? Months { get; set; } = 12;

    [BindProperty]
    public string? ScenarioCost { get; set; } = "0.50";

    [BindProperty]
    public string? TokensPerMonth { get; set; } = "100000000";

    /// <summary><c>per_token</c> or <c>plan</c>.</summary>
    [BindProperty]
    public string? Pricing { get; set; } = "per_token";

    [BindProperty]
    public string? Price { get; set; } = "2";

    [BindProperty]
    public string? PriceChange { get; set; } = "-5";

    [BindProperty]
    public string? CostChange { get; set; } = "-3";

    [BindProperty]
    public string? UsageGrowth { get; set; } = "10";

    public BreakEven? BreakEvenResult { get; private set; }

    public Scenario? ScenarioInput { get; private set; }

    public IReadOnlyList<ScenarioMonth> ScenarioResult { get; private set; } = [];

    public string? BreakEvenError { get; private set; }

    public string? ScenarioError { get; private set; }

    [ConsoleScope(AdminScopes.Read)]
    public IActionResult OnPostBreakEven()
    {
        BreakEvenResult = EconomicsMapping.Read(new BreakEvenRequest(PlanPrice?.Trim(), CostPerMtok?.Trim(), TokensPerQuery), out var error);
        BreakEvenError = error?.Error.Message;
        return Page();
    }

    [ConsoleScope(AdminScopes.Read)]
    public IActionResult OnPostScenario()
    {
        var perToken = Pricing != "plan";
        ScenarioInput = EconomicsMapping.Read(new ScenarioRequest(Months, ScenarioCost?.Trim(), TokensPerMonth?.Trim(),
            perToken ? Price?.Trim() : null, perToken ? null : Price?.Trim(), Blank(PriceChange), Blank(CostChange), Blank(UsageGrowth)), out var error);
        ScenarioError = error?.Error.Message;
        ScenarioResult = ScenarioInput?.Run() ?? [];
        return Page();
    }

    /// <summary>Query volumes from none to twice the break-even, for the cost-against-price chart.</summary>
    public IReadOnlyList<long> Volumes()
    {
        var top = Math.Max(2 * (BreakEvenResult?.QueriesPerMonth ?? 0), 8);
        return [.. Enumerable.Range(0, 9).Select(i => top * i / 8)];
    }

    public static string Count(decimal value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
