using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>
/// A cost version as options: per-million-token rates paid upstream, or (with <c>--hourly-cost</c>)
/// own hardware, whose rates are derived by the server from the hourly cost and the rated capacity.
/// </summary>
internal sealed class CostOptions
{
    private readonly Option<string> _input = new("--input") { Description = "Dollars per 1M input tokens paid upstream.", HelpName = "dollars" };
    private readonly Option<string> _cached = new("--cached-input") { Description = "Dollars per 1M cached input tokens. Default: the input rate.", HelpName = "dollars" };
    private readonly Option<string> _cacheWrite = new("--cache-write") { Description = "Dollars per 1M tokens written to a prompt cache. Default: the input rate.", HelpName = "dollars" };
    private readonly Option<string> _output = new("--output") { Description = "Dollars per 1M output tokens. Default 0.", HelpName = "dollars" };
    private readonly Option<string> _fee = new("--request-fee") { Description = "Dollars per request. Default 0.", HelpName = "dollars" };
    private readonly Option<string> _hourly = new("--hourly-cost") { Description = "Own hardware: dollars an hour per GPU.", HelpName = "dollars" };
    private readonly Option<int?> _gpus = new("--gpus") { Description = "Own hardware: how many GPUs serve the backend. Default 1." };
    private readonly Option<long?> _rated = new("--rated-tokens-per-hour") { Description = "Own hardware: tokens (input and output) all the GPUs together serve an hour at full load." };
    private readonly Option<string> _utilisation = new("--target-utilisation") { Description = "Own hardware: the share of rated capacity the cost is spread over (e.g. 0.6). Default 1.", HelpName = "fraction" };
    private readonly Option<DateTimeOffset?> _from = CliOptions.Time("--effective-from", "When the new version starts (now or later; history is never rewritten). Default now.");

    public Symbol[] Symbols => [_input, _cached, _cacheWrite, _output, _fee, _hourly, _gpus, _rated, _utilisation, _from];

    public CostCardRequest Read(VerbCall call)
    {
        var hardware = call.Get(_hourly) is not null || call.Get(_gpus) is not null || call.Get(_rated) is not null || call.Get(_utilisation) is not null;
        if (!hardware && call.Get(_input) is null)
            throw CliFailure.Invalid("Give the upstream price (--input, --output) or own hardware (--hourly-cost, --gpus, --rated-tokens-per-hour).");
        return new CostCardRequest(hardware ? "hardware" : null, call.Get(_input), call.Get(_cached), call.Get(_output), call.Get(_fee),
            call.Get(_hourly), call.Get(_gpus), call.Get(_rated), call.Get(_utilisation), call.Get(_from), call.Get(_cacheWrite));
    }
}
