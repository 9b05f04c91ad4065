using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>A price or cost card as options, in dollars per million tokens, kept as the decimal strings the API takes.</summary>
internal sealed class RateOptions
{
    public Option<string> Input { get; } = new("--input") { Description = "Dollars per 1M input tokens, e.g. 0.15.", Required = true, HelpName = "dollars" };

    public Option<string> CachedInput { get; } = new("--cached-input") { Description = "Dollars per 1M cached input tokens. Default: the input rate.", HelpName = "dollars" };

    public Option<string> CacheWrite { get; } = new("--cache-write") { Description = "Dollars per 1M tokens written to a prompt cache. Default: the input rate.", HelpName = "dollars" };

    public Option<string> Output { get; } = new("--output") { Description = "Dollars per 1M output tokens. Default 0.", HelpName = "dollars" };

    public Option<string> RequestFee { get; } = new("--request-fee") { Description = "Dollars per request. Default 0.", HelpName = "dollars" };

    public Option<DateTimeOffset?> EffectiveFrom { get; } = CliOptions.Time("--effective-from", "When the new version starts (now or later; history is never rewritten). Default now.");

    public Symbol[] Symbols => [Input, CachedInput, CacheWrite, Output, RequestFee, EffectiveFrom];

    public RatesDto Read(VerbCall call) => new(call.Get(Input), call.Get(CachedInput), call.Get(Output), call.Get(RequestFee), call.Get(EffectiveFrom), call.Get(CacheWrite));
}
