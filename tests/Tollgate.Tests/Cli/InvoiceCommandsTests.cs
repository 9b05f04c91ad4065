using System.Text.Json;
using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

/// <summary><c>invoices run|list|show|finalize|pay|void</c> against a Tollgate on a fake clock with real usage in October.</summary>
public sealed class InvoiceCommandsTests : BillingCliTestBase
{
    [Fact]
    public async Task InvoicesRun_FinalizePastMonth_ShowsProgressAndTheCompletedRun()
    {
        Scene.Time.SetUtcNow(November);

        var result = await Cli.RunAsync("invoices", "run", "--period", "2026-10", "--finalize");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("Finalizing 2026-10", result.Output);
        Assert.Contains("1 of 1 customers", result.Output);
        Assert.Contains("succeeded", result.Output);
        Assert.Contains("1 of 1", result.Output);
        var invoice = Assert.Single((await Cli.JsonAsync("invoices", "list", "--period", "2026-10")).GetProperty("data").EnumerateArray());
        Assert.Equal("finalized", invoice.GetProperty("status").GetString());
        Assert.Equal("0.01", invoice.GetProperty("total").GetString());
    }

    [Fact]
    public async Task InvoicesRun_WithJson_PrintsOnlyTheFinalRunDocument()
    {
        var run = await Cli.JsonAsync("invoices", "run", "--period", "2026-10", "--customer", Customer);

        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.False(run.GetProperty("finalize").GetBoolean());
        Assert.Equal(1, run.GetProperty("done").GetInt32());
        Assert.Equal(1, run.GetProperty("created").GetInt32());
        Assert.Equal(JsonValueKind.String, run.GetProperty("completed_at").ValueKind);
    }

    [Fact]
    public async Task InvoicesRun_FinalizeBeforeTheMonthEnds_ExitsOneWithTheConflict()
    {
        var result = await Cli.RunAsync("invoices", "run", "--period", "2026-10", "--finalize");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("has not ended", result.Error);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task InvoicesFinalizePayShow_DraftThroughPaid_ShowsLinesAndPayments()
    {
        await Cli.JsonAsync("invoices", "run", "--period", "2026-10");
        var draft = (await Cli.JsonAsync("invoices", "list", "--status", "draft")).GetProperty("data")[0].GetProperty("id").GetString()!;
        var early = await Cli.RunAsync("invoices", "finalize", draft);
        Scene.Time.SetUtcNow(November);

        var finalized = await Cli.RunAsync("invoices", "finalize", draft);
        var number = (await Cli.JsonAsync("invoices", "show", draft)).GetProperty("number").GetString()!;
        var paid = await Cli.RunAsync("invoices", "pay", draft, "--amount", "0.01", "--reference", "wire-1");
        var shown = await Cli.RunAsync("invoices", "show", draft);

        Assert.Equal(ExitCodes.Refused, early.ExitCode);
        Assert.Contains("has not ended", early.Error);
        Assert.True(finalized.ExitCode == ExitCodes.Ok, finalized.ToString());
        Assert.Contains($"Finalized invoice {draft} as {number}.", finalized.Output);
        Assert.Matches(@"^TG-2026-\d{6}$", number);
        Assert.Contains($"Recorded payment wire-1 on invoice {number}.", paid.Output);
        Assert.Contains($"Invoice {number}", shown.Output);
        Assert.Contains("Lines", shown.Output);
        Assert.Contains("output", shown.Output);
        Assert.Contains("Payments", shown.Output);
        Assert.Contains("wire-1", shown.Output);
        Assert.Contains("paid", shown.Output);
    }

    [Fact]
    public async Task InvoicesVoid_FinalizedInvoice_IssuesCreditNoteAndTheMonthCanBeReissued()
    {
        var first = await FinalizedOctoberAsync();

        var noReason = await Cli.RunAsync("invoices", "void", first);
        var voided = await Cli.RunAsync("invoices", "void", first, "--reason", "Wrong billing address");
        var again = await Cli.RunAsync("invoices", "void", first, "--reason", "Twice");
        var reissued = await Cli.JsonAsync("invoices", "run", "--period", "2026-10", "--finalize");
        var list = (await Cli.JsonAsync("invoices", "list", "--period", "2026-10")).GetProperty("data").EnumerateArray().ToList();

        Assert.Equal(ExitCodes.Failed, noReason.ExitCode);
        Assert.True(voided.ExitCode == ExitCodes.Ok, voided.ToString());
        Assert.Contains("with credit note TG-CN-2026-", voided.Output);
        Assert.Contains("Wrong billing address", voided.Output);
        Assert.Equal(ExitCodes.Refused, again.ExitCode);
        Assert.Contains("already void", again.Error);
        Assert.Equal(1, reissued.GetProperty("finalized").GetInt32());
        Assert.Equal(["finalized", "void"], list.Select(i => i.GetProperty("status").GetString()).Order());
    }

    [Fact]
    public async Task InvoicesList_Empty_SaysSoAndBadStatusIsAUsageError()
    {
        var none = await Cli.RunAsync("invoices", "list");
        var bad = await Cli.RunAsync("invoices", "list", "--status", "open");

        Assert.Equal(ExitCodes.Ok, none.ExitCode);
        Assert.Contains("No invoices.", none.Output);
        Assert.Equal(ExitCodes.Failed, bad.ExitCode);
    }
}
