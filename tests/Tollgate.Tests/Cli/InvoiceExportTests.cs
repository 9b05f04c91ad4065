using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class InvoiceExportTests : BillingCliTestBase, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tollgate-export-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task InvoicesExport_Html_IntoADirectory_NamesTheFileAfterTheNumber()
    {
        var id = await FinalizedOctoberAsync();
        var number = (await Cli.JsonAsync("invoices", "show", id)).GetProperty("number").GetString()!;

        var result = await Cli.RunAsync("invoices", "export", id, "--format", "html", "--output", _directory);

        var path = Path.Combine(_directory, $"{number}.html");
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains($"Wrote invoice {number} as html to {path}", result.Output);
        var html = await File.ReadAllTextAsync(path);
        Assert.StartsWith("<!doctype html>", html);
        Assert.Contains($"Invoice {number}", html);
    }

    [Fact]
    public async Task InvoicesExport_ExistingFile_RefusesUnlessForced()
    {
        var id = await FinalizedOctoberAsync();
        var path = Path.Combine(_directory, "october.csv");
        await File.WriteAllTextAsync(path, "keep me");

        var refused = await Cli.RunAsync("invoices", "export", id, "--format", "csv", "--output", path);
        var kept = await File.ReadAllTextAsync(path);
        var forced = await Cli.RunAsync("invoices", "export", id, "--format", "csv", "--output", path, "--force", "--json");

        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Contains("exists", refused.Error);
        Assert.Contains("--force", refused.Error);
        Assert.Equal("keep me", kept);
        Assert.True(forced.ExitCode == ExitCodes.Ok, forced.ToString());
        Assert.Equal(path, forced.Json().GetProperty("path").GetString());
        Assert.Equal("csv", forced.Json().GetProperty("format").GetString());
        Assert.StartsWith("invoice,number,period,line,", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task InvoicesExport_DraftToStandardOutput_PrintsTheInvoiceDocument()
    {
        await Cli.JsonAsync("invoices", "run", "--period", "2026-10");
        var id = (await Cli.JsonAsync("invoices", "list")).GetProperty("data")[0].GetProperty("id").GetString()!;

        var result = await Cli.RunAsync("invoices", "export", id, "--format", "json", "--output", "-");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal(id, result.Json().GetProperty("id").GetString());
        Assert.Equal("draft", result.Json().GetProperty("status").GetString());
    }

    [Fact]
    public async Task InvoicesExport_UnknownInvoice_ExitsOneAndWritesNothing()
    {
        var result = await Cli.RunAsync("invoices", "export", "inv_missing", "--format", "html", "--output", _directory);

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("inv_missing", result.Error);
        Assert.Empty(Directory.GetFiles(_directory));
    }
}
