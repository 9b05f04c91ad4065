using System.CommandLine;
using System.Text.Json;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>
/// <c>tollgate models list|show|put|retire|price|cost</c>: the catalog. A price or cost change adds
/// an effective-dated version; nothing here edits history.
/// </summary>
internal static class ModelCommands
{
    public static Command Create(ClientVerbs cli)
    {
        var id = CliOptions.Id("model-id", "The model's public id, as clients send it in 'model'.");
        var backend = CliOptions.Id("backend-id", "The backend's id, as 'models show' lists it.");
        var file = new Option<string>("--file")
        {
            Description = "The model definition as JSON (kind, tier, tokenizer, max_output_tokens, owned_by, backends, price). Default, or '-': standard input.",
            HelpName = "file",
        };
        var price = new RateOptions();
        var cost = new CostOptions();

        return cli.Group("models", "The model catalog: list, show, put, retire, and new price or cost versions.",
            cli.Verb("list", "List the catalog's models with their current prices.", async call =>
                call.Output.List(await call.GetAsync("models"), CliJson.Default.ApiListModelDto, ModelView.Columns, m => m.Id, "models")),
            cli.Verb("show", "Show a model, its price versions and its backends.", async call =>
                call.Output.Result(await call.GetAsync(VerbCall.Path("models", call.Get(id))), AdminJson.Default.ModelDto, m => ModelView.Show(call.Output, m)),
                id),
            cli.Verb("put", "Create or replace a model from a JSON definition (a price in it becomes a new version).", async call =>
            {
                var json = await ReadDefinitionAsync(call, call.Get(file));
                var response = await call.SendAsync(HttpMethod.Put, VerbCall.Path("models", call.Get(id)), json);
                call.Output.Result(response, AdminJson.Default.ModelDto, m => ModelView.Show(call.Output, m, $"Saved model {m.Id}."));
            }, id, file),
            cli.Verb("retire", "Retire a model: clients can no longer call it; its usage and prices stay on record.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Delete, VerbCall.Path("models", call.Get(id)));
                call.Output.Result(response, AdminJson.Default.ModelDto, m => call.Output.Success($"Retired model {m.Id}."));
            }, id),
            cli.Posting("price", "Add a price version to a model, effective now or later.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("models", call.Get(id), "prices"), price.Read(call), AdminJson.Default.RatesDto);
                call.Output.Result(response, AdminJson.Default.ModelDto, m =>
                    ModelView.Show(call.Output, m, $"Added price version {m.PriceHistory.Max(p => p.Version)} to model {m.Id}."));
            }, [id, .. price.Symbols]),
            cli.Posting("cost", "Add a cost version to a backend: the upstream's token price, or own GPUs' hourly cost over their capacity.", async call =>
            {
                var backendId = call.Get(backend);
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("backends", backendId, "costs"), cost.Read(call), AdminJson.Default.CostCardRequest);
                call.Output.Result(response, AdminJson.Default.ModelDto, m =>
                {
                    var changed = m.Backends.Single(b => b.Id == backendId);
                    call.Output.Success($"Added cost version {changed.CostHistory.Max(c => c.Version)} to backend {backendId} of model {m.Id}.");
                    ModelView.ShowCosts(call.Output, changed);
                });
            }, [backend, .. cost.Symbols]));
    }

    /// <summary>Reads and checks the definition locally, so a typo in the file is named before anything is sent.</summary>
    private static async Task<string> ReadDefinitionAsync(VerbCall call, string? path)
    {
        var fromStdin = path is null or "-";
        string json;
        try
        {
            json = fromStdin ? await call.Environment.In.ReadToEndAsync() : await File.ReadAllTextAsync(path!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliFailure.Invalid($"Cannot read {path}: {ex.Message}");
        }
        var source = fromStdin ? "standard input" : path;
        if (string.IsNullOrWhiteSpace(json))
            throw CliFailure.Invalid($"No model definition on {source}.", "Pass --file model.json, or pipe the JSON in.");
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw CliFailure.Invalid($"The model definition on {source} must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw CliFailure.Invalid($"The model definition on {source} is not valid JSON: {ex.Message}");
        }
        return json;
    }
}
