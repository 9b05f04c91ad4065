using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>
/// <c>tollgate invoices run</c>: starts a run on the server (a background job) and follows it to the
/// end with a progress bar, so a long run over many customers shows how far it got.
/// </summary>
internal static class InvoiceRunVerb
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static Command Create(ClientVerbs cli)
    {
        var period = new Option<string>("--period") { Description = "The month to invoice (YYYY-MM, UTC).", Required = true, HelpName = "YYYY-MM" };
        var finalize = new Option<bool>("--finalize")
        {
            Description = "Finalize and number the invoices (only once the month has ended). Without it the run writes or refreshes drafts.",
        };
        var customer = new Option<string>("--customer") { Description = "Only this customer (default: every customer that existed in the month).", HelpName = "customer-id" };

        return cli.Posting("run", "Invoice a month: draft (or with --finalize, finalize) every customer's invoice, with a progress bar.", async call =>
        {
            var body = new InvoiceRunRequest(call.Require(period), call.Get(finalize), call.Get(customer));
            var started = await call.SendAsync(HttpMethod.Post, "invoice-runs", body, AdminJson.Default.InvoiceRunRequest);
            var run = started.Read(AdminJson.Default.InvoiceRunDto);
            var what = $"{(run.Finalize ? "Finalizing" : "Drafting")} {run.Period} ({run.Id})";
            var (final, finished) = await call.Output.Progress(what, "customers", report => FollowAsync(call, started, run, report));
            call.Output.Result(final, AdminJson.Default.InvoiceRunDto, r => Show(call, r));
            if (finished.Status != "succeeded")
            {
                throw new CliFailure(ExitCodes.RunFailed,
                    finished.Error ?? $"The run finished with {finished.Failed} of {finished.Customers} customers not invoiced.",
                    hint: "Run the same command again: customers already invoiced are not billed twice. The server's log names each failure.");
            }
        }, period, finalize, customer);
    }

    /// <summary>Polls the run until it completes; returns its last answer as sent (for --json) and as read.</summary>
    private static async Task<(ApiResponse, InvoiceRunDto)> FollowAsync(VerbCall call, ApiResponse response, InvoiceRunDto run, Action<int, int> report)
    {
        report(run.Done, run.Customers);
        while (run.Status == "running")
        {
            await Task.Delay(PollInterval, call.CancellationToken);
            try
            {
                response = await call.GetAsync(VerbCall.Path("invoice-runs", run.Id));
            }
            catch (CliFailure failure) when (failure.ExitCode == ExitCodes.Refused)
            {
                // Runs are remembered in memory: a restarted server no longer knows this one.
                throw new CliFailure(ExitCodes.RunFailed, $"The server no longer knows run {run.Id} ({failure.Message}); was it restarted?",
                    hint: "Run the same command again: customers already invoiced are not billed twice.");
            }
            run = response.Read(AdminJson.Default.InvoiceRunDto);
            report(run.Done, run.Customers);
        }
        return (response, run);
    }

    private static void Show(VerbCall call, InvoiceRunDto run)
    {
        var took = run.CompletedAt is { } end ? $"{(end - run.StartedAt).TotalSeconds:0.0} s" : Cell.None;
        call.Output.Details($"Invoice run {run.Id}",
            ("Period", Cell.Text(run.Period)),
            ("Mode", run.Finalize ? "finalize" : "draft"),
            ("Customer", run.CustomerId is null ? "[dim]all[/]" : Cell.Text(run.CustomerId)),
            ("Status", Cell.Status(run.Status)),
            ("Customers", $"{Cell.Number(run.Done)} of {Cell.Number(run.Customers)}"),
            ("Drafts created", Cell.Number(run.Created)),
            ("Drafts refreshed", Cell.Number(run.Refreshed)),
            ("Finalized", Cell.Number(run.Finalized)),
            ("Already finalized", Cell.Number(run.AlreadyFinalized)),
            ("Failed", run.Failed > 0 ? $"[red]{Cell.Number(run.Failed)}[/]" : "0"),
            ("Started", Cell.Time(run.StartedAt)),
            ("Took", took));
    }
}
