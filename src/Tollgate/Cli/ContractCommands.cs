using System.CommandLine;
using Tollgate.Admin;
using Tollgate.Contracts;

namespace Tollgate.Cli;

/// <summary>
/// <c>tollgate contracts list|show|create|update|cancel|progress</c>, <c>tollgate gates list|show|set|remove</c>
/// and <c>tollgate invitations list|create|revoke</c>.
/// </summary>
internal static class ContractCommands
{
    private static readonly Column<ContractDto>[] ContractColumns =
    [
        Column<ContractDto>.Id("ID", c => c.Id),
        new("Customer", c => Cell.Text(c.CustomerId)),
        new("Status", c => Cell.Status(c.Status)),
        new("Term", c => $"{Cell.Time(c.StartsAt)} to {Cell.Time(c.CancelledAt ?? c.EndsAt)}"),
        Column<ContractDto>.Right("Commitment", c => Cell.Money(c.MonthlyCommitment)),
        Column<ContractDto>.Right("Discount %", c => Cell.Text(c.DiscountPercent)),
        new("Gated models", c => Cell.List(c.EntitledModels, "none")),
    ];

    private static readonly Column<GateDto>[] GateColumns =
    [
        Column<GateDto>.Id("Model", g => g.ModelId),
        new("Contract", g => g.Rule.MinCommitment is { } least ? $"committing ≥ {Cell.Money(least)}/month" : "any entitling it"),
        new("Spend", g => g.Rule.MinSpend is { } spend
            ? $"≥ {Cell.Money(spend)} in {g.Rule.SpendDays} days, account ≥ {g.Rule.MinAccountAgeDays} days" : Cell.None),
        new("Invitations", g => Cell.YesNo(g.Rule.Invitations ?? true)),
        new("Rule", g => g.RuleSet ? "set" : "default"),
    ];

    private static readonly Column<InvitationDto>[] InvitationColumns =
    [
        Column<InvitationDto>.Id("ID", i => i.Id),
        new("Customer", i => Cell.Text(i.CustomerId)),
        new("Model", i => Cell.Text(i.ModelId)),
        new("Status", i => Cell.Status(i.Status)),
        new("Expires", i => Cell.Time(i.ExpiresAt)),
        new("Note", i => Cell.Text(i.Note)),
    ];

    public static Command[] Create(ClientVerbs cli)
    {
        var contractId = CliOptions.Id("contract-id", "The contract's id (ctr_…).");
        var customer = new Option<string>("--customer") { Description = "The customer's id (cus_…)." };
        var status = CliOptions.OneOf("--status", "Only contracts in this state.", ["scheduled", "active", "ended", "cancelled"]);
        var starts = CliOptions.Time("--starts", "When the contract starts (default now).");
        var ends = CliOptions.Time("--ends", "When the contract ends.");
        var commitment = new Option<string>("--commitment") { Description = "Monthly minimum commitment in dollars, e.g. 500." };
        var discount = new Option<string>("--discount") { Description = "Percent off list on models without an override, e.g. 10." };
        var entitle = new Option<string[]>("--entitle") { Description = "A gated model the contract opens (repeatable).", AllowMultipleArgumentsPerToken = true };
        var rate = new Option<string[]>("--rate")
        {
            Description = "A per-model rate override MODEL=INPUT/OUTPUT in dollars per million tokens, e.g. tg-pro=1.5/6 (repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };

        var contracts = cli.Group("contracts", "Enterprise contracts: term, monthly minimum commitment, contract pricing, entitled gated models.",
            cli.Verb("list", "List contracts.", async call =>
                call.Output.List(await call.GetAsync("contracts", new Query().Add("customer", call.Get(customer)).Add("status", call.Get(status))),
                    CliJson.Default.ApiListContractDto, ContractColumns, c => c.Id, "contracts"), customer, status),
            cli.Verb("show", "Show one contract.", async call =>
                call.Output.Result(await call.GetAsync(VerbCall.Path("contracts", call.Get(contractId))), AdminJson.Default.ContractDto,
                    c => Show(call, c)), contractId),
            cli.Posting("create", "Create a contract for a postpaid customer; first and last months' commitments are prorated by seconds.", async call =>
            {
                var body = new ContractRequest(call.Require(customer), call.Get(starts), call.Require(ends), call.Require(commitment), call.Get(discount),
                    Rates(call.Get(rate)), call.Get(entitle));
                var response = await call.SendAsync(HttpMethod.Post, "contracts", body, AdminJson.Default.ContractRequest);
                call.Output.Result(response, AdminJson.Default.ContractDto, c => Show(call, c, $"Created contract {c.Id}."));
            }, customer, starts, ends, commitment, discount, entitle, rate),
            cli.Posting("update", "Change a contract's end, commitment, discount, rate overrides or entitled models (only what is given).", async call =>
            {
                var entitled = call.Get(entitle);
                var body = new ContractRequest(null, null, call.Get(ends), call.Get(commitment), call.Get(discount), Rates(call.Get(rate)),
                    entitled is { Length: > 0 } ? entitled : null);
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("contracts", call.Get(contractId)), body, AdminJson.Default.ContractRequest);
                call.Output.Result(response, AdminJson.Default.ContractDto, c => Show(call, c, $"Updated contract {c.Id}."));
            }, contractId, ends, commitment, discount, entitle, rate),
            cli.Posting("cancel", "End a contract now: its gated models close at once, this month's commitment is prorated to now.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("contracts", call.Get(contractId)) + "/cancel", "{}");
                call.Output.Result(response, AdminJson.Default.ContractDto, c => Show(call, c, $"Cancelled contract {c.Id}."));
            }, contractId),
            cli.Verb("progress", "Commitment progress this period: used so far, projected usage and true-up at the current pace.", async call =>
                call.Output.Result(await call.GetAsync(VerbCall.Path("contracts", call.Get(contractId)) + "/progress"), AdminJson.Default.ContractProgressDto,
                    p => call.Output.Details($"Contract {p.ContractId}, {p.Period}",
                        ("Customer", Cell.Text(p.CustomerId)),
                        ("Commitment", Cell.Money(p.Commitment)),
                        ("Used so far", Cell.Money(p.Used)),
                        ("Still to use", Cell.Money(p.Remaining)),
                        ("Period elapsed", Cell.Text($"{decimal.Parse(p.ElapsedShare, System.Globalization.CultureInfo.InvariantCulture) * 100:0.#} %")),
                        ("Projected usage", Cell.Money(p.ProjectedUsage)),
                        ("Projected true-up", Cell.Money(p.ProjectedTrueUp)))), contractId));

        var modelId = CliOptions.Id("model-id", "The gated model's id.");
        var minSpend = new Option<string>("--min-spend") { Description = "Paid spend on other models that opens the gate, in dollars (omit to close this path)." };
        var spendDays = new Option<int?>("--spend-days") { Description = "Trailing days the spend is counted over (default 30)." };
        var minAge = new Option<int?>("--min-account-age-days") { Description = "Account age the spend path also needs (default 0)." };
        var minCommitment = new Option<string>("--min-commitment") { Description = "Least monthly commitment of an entitling contract (default any)." };
        var noInvitations = new Option<bool>("--no-invitations") { Description = "Do not admit by invitation." };
        var gates = cli.Group("gates", "Gated models' admission rules: a contract, paid spend on other models with account age, or an invitation.",
            cli.Verb("list", "List gated models and their rules.", async call =>
                call.Output.List(await call.GetAsync("gates"), CliJson.Default.ApiListGateDto, GateColumns, g => g.ModelId, "gated models")),
            cli.Verb("show", "Show one gated model's rule.", async call =>
                call.Output.Result(await call.GetAsync(VerbCall.Path("gates", call.Get(modelId))), AdminJson.Default.GateDto,
                    g => call.Output.Table([g], GateColumns)), modelId),
            cli.Verb("set", "Set a gated model's rule (replaces it whole).", async call =>
            {
                var body = new GateRuleDto(null, call.Get(minCommitment), call.Get(minSpend), call.Get(spendDays), call.Get(minAge), !call.Get(noInvitations));
                var response = await call.SendAsync(HttpMethod.Put, VerbCall.Path("gates", call.Get(modelId)), body, AdminJson.Default.GateRuleDto);
                call.Output.Result(response, AdminJson.Default.GateDto, g =>
                {
                    call.Output.Success($"Rule of {g.ModelId} saved.");
                    call.Output.Table([g], GateColumns);
                });
            }, modelId, minCommitment, minSpend, spendDays, minAge, noInvitations),
            cli.Verb("remove", "Remove a gated model's rule: it then admits by contract or invitation only.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Delete, VerbCall.Path("gates", call.Get(modelId)));
                call.Output.Result(response, AdminJson.Default.GateDto, g => call.Output.Success($"Rule of {g.ModelId} removed."));
            }, modelId));

        var invitationId = CliOptions.Id("invitation-id", "The invitation's id.");
        var model = new Option<string>("--model") { Description = "The gated model's id.", Required = true };
        var days = new Option<int?>("--days") { Description = "Days until it expires (default 30)." };
        var expires = CliOptions.Time("--expires", "When it expires (instead of --days).");
        var note = new Option<string>("--note") { Description = "Why it was issued (kept in the audit log)." };
        var invitations = cli.Group("invitations", "Invitations to a gated model, each for one customer until it expires or is revoked.",
            cli.Verb("list", "List invitations (expired and revoked ones too).", async call =>
                call.Output.List(await call.GetAsync("invitations", new Query().Add("customer", call.Get(customer))), CliJson.Default.ApiListInvitationDto,
                    InvitationColumns, i => i.Id, "invitations"), customer),
            cli.Posting("create", "Invite a customer to a gated model.", async call =>
            {
                var body = new InvitationRequest(call.Require(customer), call.Require(model), call.Get(expires), call.Get(days), call.Get(note));
                var response = await call.SendAsync(HttpMethod.Post, "invitations", body, AdminJson.Default.InvitationRequest);
                call.Output.Result(response, AdminJson.Default.InvitationDto, i =>
                {
                    call.Output.Success($"Invited {i.CustomerId} to {i.ModelId} until {i.ExpiresAt:yyyy-MM-dd HH:mm} UTC.");
                    call.Output.Table([i], InvitationColumns);
                });
            }, customer, model, days, expires, note),
            cli.Posting("revoke", "Revoke an invitation now.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("invitations", call.Get(invitationId)) + "/revoke", "{}");
                call.Output.Result(response, AdminJson.Default.InvitationDto, i => call.Output.Success($"Revoked {i.Id}."));
            }, invitationId));
        return [contracts, gates, invitations];
    }

    /// <summary>Reads <c>MODEL=INPUT/OUTPUT</c> overrides; null when none are given (an update then keeps the contract's).</summary>
    private static Dictionary<string, RatesDto>? Rates(string[]? values)
    {
        if (values is not { Length: > 0 }) return null;
        var rates = new Dictionary<string, RatesDto>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            var parts = equals > 0 ? value[(equals + 1)..].Split('/') : [];
            if (parts.Length != 2) throw CliFailure.Invalid($"'{value}' is not a rate override: write MODEL=INPUT/OUTPUT, e.g. tg-pro=1.5/6.");
            rates[value[..equals]] = new RatesDto(parts[0], null, parts[1], null);
        }
        return rates;
    }

    private static void Show(VerbCall call, ContractDto c, string? done = null)
    {
        if (done is not null) call.Output.Success(done);
        call.Output.Details($"Contract {c.Id}",
            ("Customer", Cell.Text(c.CustomerId)),
            ("Status", Cell.Status(c.Status)),
            ("Term", $"{Cell.Time(c.StartsAt)} to {Cell.Time(c.EndsAt)}"),
            ("Cancelled", c.CancelledAt is { } at ? Cell.Time(at) : Cell.None),
            ("Monthly commitment", Cell.Money(c.MonthlyCommitment)),
            ("Discount", Cell.Text(c.DiscountPercent + " %")),
            ("Rate overrides", Cell.List(c.RateOverrides.Select(o => $"{o.Key} {o.Value.Input}/{o.Value.Output}"), "none")),
            ("Gated models", Cell.List(c.EntitledModels, "none")));
    }
}
