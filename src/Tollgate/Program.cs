using System.CommandLine;
using Tollgate.Hosting;

namespace Tollgate;

/// <summary>
/// <c>tollgate</c>: one executable. <c>serve</c> runs the gateway and admin API; the other verbs
/// are clients of the admin API, so every change passes one validation, authorization and audit.
/// </summary>
internal sealed class Program
{
    private Program()
    {
    }

    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("Tollgate: sell access to language models through an OpenAI-compatible gateway with exact metering and billing.");
        root.Subcommands.Add(ServeCommand.Create());
        // The web host handles SIGTERM itself (drain in-flight requests, flush usage): the parser must not cut it short.
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
