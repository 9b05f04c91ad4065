using System.CommandLine;
using Tollgate.Admin;
using Tollgate.Limits;

namespace Tollgate.Cli;

/// <summary>
/// <c>tollgate limits customer|key</c>: set or remove rate limits. The limits given replace the
/// old ones; a customer's missing limits fall back to its spend tier's, a key has none beyond them.
/// </summary>
internal static class LimitCommands
{
    public static Command Create(ClientVerbs cli)
    {
        var customer = CliOptions.Id("customer-id", "The customer's id (cus_…).");
        var key = CliOptions.Id("key-id", "The key's id, as 'keys list' shows it.");
        var rpm = new Option<int?>("--requests-per-minute") { Description = "Requests per minute.", HelpName = "n" };
        var tpm = new Option<int?>("--tokens-per-minute") { Description = "Tokens per minute (input plus the output cap, trued up to the metered use).", HelpName = "n" };
        var concurrency = new Option<int?>("--concurrency") { Description = "Requests in flight at once.", HelpName = "n" };
        var remove = new Option<bool>("--remove") { Description = "Remove all of its own rate limits instead." };
        Symbol[] options = [rpm, tpm, concurrency, remove];

        return cli.Group("limits", "Rate limits of a customer (across its keys) or of one key.",
            cli.Verb("customer", "Set a customer's rate limits (replacing its old ones), or --remove them to follow its spend tier.", async call =>
            {
                var limits = Read(call, rpm, tpm, concurrency, remove);
                var response = await call.SendAsync(HttpMethod.Patch, VerbCall.Path("customers", call.Get(customer)),
                    new CustomerRequest(null, null, RateLimits: limits), AdminJson.Default.CustomerRequest);
                call.Output.Result(response, AdminJson.Default.CustomerDto, c => SpendLimitView.Customer(call, c, $"Set the rate limits of {c.Id}."));
            }, [customer, .. options]),
            cli.Verb("key", "Set a key's rate limits (replacing its old ones), or --remove them.", async call =>
            {
                var limits = Read(call, rpm, tpm, concurrency, remove);
                var response = await call.SendAsync(HttpMethod.Patch, VerbCall.Path("keys", call.Get(key)),
                    new KeyUpdateRequest(null, null, null, null, null, RateLimits: limits), AdminJson.Default.KeyUpdateRequest);
                call.Output.Result(response, AdminJson.Default.KeyDto, k => SpendLimitView.Key(call, k, $"Set the rate limits of key {k.Id}."));
            }, [key, .. options]));
    }

    /// <summary>The limits given, or the API's empty object to remove them all.</summary>
    private static RateLimits Read(VerbCall call, Option<int?> rpm, Option<int?> tpm, Option<int?> concurrency, Option<bool> remove)
    {
        var limits = new RateLimits(call.Get(rpm), call.Get(tpm), call.Get(concurrency));
        if (call.Get(remove) == !limits.IsEmpty)
            throw CliFailure.Invalid("Give --requests-per-minute, --tokens-per-minute or --concurrency, or --remove (not both).");
        return limits;
    }
}
