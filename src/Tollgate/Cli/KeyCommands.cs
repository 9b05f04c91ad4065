using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary><c>tollgate keys list|show|create|import|update|rotate|revoke</c>: customers' API keys, whose secrets are shown once.</summary>
internal static class KeyCommands
{
    private static readonly Column<KeyDto>[] Columns =
    [
        Column<KeyDto>.Id("ID", k => k.Id),
        new("Prefix", k => Cell.Text(k.Prefix)),
        new("Customer", k => Cell.Text(k.CustomerId)),
        new("Name", k => Cell.Text(k.Name)),
        new("Models", k => Cell.List(k.Models, "all")),
        new("Status", k => Cell.Status(k.Status)),
        new("Expires", k => Cell.Time(k.ExpiresAt)),
        new("Created", k => Cell.Time(k.CreatedAt)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var paging = PageOptions.Standard("key id");
        var id = CliOptions.Id("key-id", "The key's id (the part after tg_ and before the next _, as 'keys list' shows).");
        var customerFilter = new Option<string>("--customer") { Description = "Only this customer's keys.", HelpName = "customer-id" };
        var customer = new Option<string>("--customer") { Description = "The customer who owns the key.", Required = true, HelpName = "customer-id" };
        var name = new Option<string>("--name") { Description = "A name to tell keys apart (1 to 200 characters)." };
        var models = new Option<string[]>("--model")
        {
            Description = "Allow only this model; repeat for several. Without it the key may call every model.",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "model-id",
        };
        var expires = CliOptions.Time("--expires-at", "The key stops working at this time.");
        var allModels = new Option<bool>("--all-models") { Description = "Lift the model restriction." };
        var noExpiry = new Option<bool>("--no-expiry") { Description = "Remove the expiry." };
        var grace = new Option<int?>("--expire-old-in-seconds")
        {
            Description = "Keep the old secret working this long (0 to 604800), so clients can switch over. Default 0: it stops now.",
            HelpName = "seconds",
        };

        var file = new Argument<string>("file") { Description = "A CSV file, one key a line: customer-id,name (the name may be left out); '-' reads standard input." };

        return cli.Group("keys", "Customers' API keys: list, show, create, import, update, rotate, revoke.",
            cli.Verb("list", "List API keys, oldest first.", async call =>
            {
                var query = paging.Query(call).Add("customer_id", call.Get(customerFilter));
                call.Output.List(await call.GetAsync("keys", query), CliJson.Default.ApiListKeyDto, Columns, k => k.Id, "keys");
            }, [customerFilter, .. paging.Symbols]),
            cli.Verb("show", "Show one API key (never its secret).", async call =>
                call.Output.Result(await call.GetAsync(VerbCall.Path("keys", call.Get(id))), AdminJson.Default.KeyDto, k => Show(call, k)),
                id),
            cli.Posting("create", "Create an API key for a customer; its secret is shown this once.", async call =>
            {
                var body = new KeyRequest(call.Get(name), NullIfEmpty(call.Get(models)), call.Get(expires));
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("customers", call.Require(customer), "keys"), body, AdminJson.Default.KeyRequest);
                call.Output.Result(response, AdminJson.Default.CreatedKeyDto, created => ShowSecret(call, created, "Created"));
            }, customer, name, models, expires),
            cli.Posting("import", $"Create up to {KeyImportLimit:N0} keys for any customers in one transaction; their secrets are shown this once, as CSV.", async call =>
            {
                var entries = await ReadImportAsync(call.Get(file)!);
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("keys", "import"), new KeyImportRequest(entries), AdminJson.Default.KeyImportRequest);
                call.Output.Result(response, AdminJson.Default.KeyImportResponse, created =>
                {
                    // CSV on standard output so the secrets can go straight to a file or a provisioning script.
                    call.Output.Text("key_id,customer_id,name,key\n");
                    foreach (var k in created.Data) call.Output.Text($"{k.ApiKey.Id},{k.ApiKey.CustomerId},{Csv(k.ApiKey.Name)},{k.Key}\n");
                });
            }, file),
            cli.Verb("update", "Change a key's name, models or expiry; what is not given stays.", async call =>
            {
                var body = new KeyUpdateRequest(call.Get(name), NullIfEmpty(call.Get(models)), call.Get(expires),
                    call.Get(allModels) ? true : null, call.Get(noExpiry) ? true : null);
                if (body is { Name: null, Models: null, ExpiresAt: null, AllModels: null, NoExpiry: null })
                    throw CliFailure.Invalid("Nothing to change: give --name, --model, --all-models, --expires-at or --no-expiry.");
                var response = await call.SendAsync(HttpMethod.Patch, VerbCall.Path("keys", call.Get(id)), body, AdminJson.Default.KeyUpdateRequest);
                call.Output.Result(response, AdminJson.Default.KeyDto, k => Show(call, k, $"Updated key {k.Id}."));
            }, id, name, models, allModels, expires, noExpiry),
            cli.Posting("rotate", "Replace a key's secret: a new key with the same owner, name, models and expiry.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("keys", call.Get(id), "rotate"),
                    new RotateKeyRequest(call.Get(grace)), AdminJson.Default.RotateKeyRequest);
                call.Output.Result(response, AdminJson.Default.CreatedKeyDto, created => ShowSecret(call, created, $"Rotated key {call.Get(id)} into"));
            }, id, grace),
            cli.Posting("revoke", "Revoke a key: it stops working on the next request.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("keys", call.Get(id), "revoke"));
                call.Output.Result(response, AdminJson.Default.KeyDto, k => Show(call, k, $"Revoked key {k.Id}."));
            }, id));
    }

    private const int KeyImportLimit = Admin.Services.KeyService.ImportLimit;

    /// <summary>Reads customer-id[,name] lines; blank lines and lines starting with # are skipped.</summary>
    private static async Task<List<KeyImportEntry?>> ReadImportAsync(string path)
    {
        string text;
        try
        {
            text = path == "-" ? await Console.In.ReadToEndAsync() : await File.ReadAllTextAsync(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliFailure.Invalid($"Cannot read {path}: {ex.Message}");
        }
        var entries = new List<KeyImportEntry?>();
        foreach (var (line, number) in text.Split('\n').Select((l, i) => (l.Trim(), i + 1)))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var comma = line.IndexOf(',', StringComparison.Ordinal);
            var customer = (comma < 0 ? line : line[..comma]).Trim();
            var name = comma < 0 ? null : line[(comma + 1)..].Trim().Trim('"');
            if (customer.Length == 0) throw CliFailure.Invalid($"{path} line {number}: no customer id.");
            entries.Add(new KeyImportEntry(customer, string.IsNullOrEmpty(name) ? null : name, null, null));
        }
        if (entries.Count == 0) throw CliFailure.Invalid($"{path} lists no keys.");
        return entries;
    }

    private static string Csv(string value) => value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
        ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
        : value;

    private static string[]? NullIfEmpty(string[]? values) => values is { Length: > 0 } ? values : null;

    private static void ShowSecret(VerbCall call, CreatedKeyDto created, string done)
    {
        Show(call, created.ApiKey, $"{done} key {created.ApiKey.Id}.");
        call.Output.Secret("API key", created.Key);
    }

    private static void Show(VerbCall call, KeyDto key, string? done = null)
    {
        if (done is not null) call.Output.Success(done);
        call.Output.Details($"API key {key.Id}",
            ("Prefix", Cell.Text(key.Prefix)),
            ("Customer", Cell.Text(key.CustomerId)),
            ("Name", Cell.Text(key.Name)),
            ("Models", Cell.List(key.Models, "all")),
            ("Status", Cell.Status(key.Status)),
            ("Expires", Cell.Time(key.ExpiresAt)),
            ("Revoked", Cell.Time(key.RevokedAt)),
            ("Created", Cell.Time(key.CreatedAt)));
    }
}
