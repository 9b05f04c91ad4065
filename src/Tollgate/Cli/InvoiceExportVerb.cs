using System.CommandLine;
using System.Text;
using System.Text.Json;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>What <c>invoices export --json</c> prints: where the file went, for scripts that mail or archive it.</summary>
internal sealed record ExportedInvoice(string InvoiceId, string? Number, string Format, string Path, long Bytes);

/// <summary><c>tollgate invoices export</c>: the server's JSON, CSV or printable HTML of an invoice, written to a file.</summary>
internal static class InvoiceExportVerb
{
    private static readonly string[] Formats = ["json", "csv", "html"];

    public static Command Create(ClientVerbs cli, Argument<string> id)
    {
        var format = CliOptions.OneOf("--format", "json (the invoice document), csv (one row per line) or html (a printable page).", Formats);
        format.Required = true;
        var output = new Option<string>("--output")
        {
            Description = "The file to write, a directory to write it in, or - for standard output. Default: <number>.<format> (draft-<id> for a draft) here.",
            HelpName = "file",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite the file if it exists." };

        return cli.Verb("export", "Write an invoice as JSON, CSV or a printable HTML page.", async call =>
        {
            var invoiceId = call.Get(id);
            var kind = call.Require(format);
            // Read first: an unknown id is named as such, and the number names the file.
            var invoice = (await call.GetAsync(VerbCall.Path("invoices", invoiceId))).Read(AdminJson.Default.InvoiceDto);
            var exported = await call.GetAsync(VerbCall.Path("invoices", invoiceId, "export"), new Query().Add("format", kind));
            if (call.Get(output) == "-")
            {
                call.Output.Text(exported.Json);
                return;
            }
            var path = Target(call.Get(output), $"{invoice.Number ?? "draft-" + invoice.Id}.{kind}");
            await WriteAsync(path, exported.Json, call.Get(force), call.CancellationToken);
            var bytes = new FileInfo(path).Length;
            if (call.Output.Json)
                call.Output.Text(JsonSerializer.Serialize(new ExportedInvoice(invoice.Id, invoice.Number, kind, path, bytes), CliJson.Default.ExportedInvoice) + "\n");
            else
                call.Output.Success($"Wrote {(invoice.Number is { } number ? "invoice " + number : "draft " + invoice.Id)} as {kind} to {path} ({bytes:N0} bytes).");
        }, id, format, output, force);
    }

    private static string Target(string? output, string defaultName)
    {
        if (output is null) return Path.GetFullPath(defaultName);
        var full = Path.GetFullPath(output);
        return Directory.Exists(full) ? Path.Combine(full, defaultName) : full;
    }

    private static async Task WriteAsync(string path, string text, bool force, CancellationToken cancellationToken)
    {
        if (File.Exists(path) && !force) throw CliFailure.Invalid($"{path} exists.", hint: "Pass --force to overwrite it, or --output to write elsewhere.");
        if (Path.GetDirectoryName(path) is { } directory && !Directory.Exists(directory))
            throw CliFailure.Invalid($"The directory {directory} does not exist.");
        try
        {
            await File.WriteAllTextAsync(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure(ExitCodes.Failed, $"Could not write {path}: {ex.Message}");
        }
    }
}
