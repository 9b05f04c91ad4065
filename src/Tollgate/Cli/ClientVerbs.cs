using System.CommandLine;

namespace Tollgate.Cli;

/// <summary>
/// Builds the admin API client verbs: every resource group carries <c>--server</c>, <c>--token</c>
/// and <c>--json</c>, and every verb runs through the same client setup and error handling, so the
/// verbs themselves stay a request and a rendering.
/// </summary>
internal sealed class ClientVerbs(CliEnvironment environment)
{
    private readonly Option<string> _server = new("--server")
    {
        Description = $"The Tollgate server (TOLLGATE_SERVER). Default {ApiClient.DefaultServer}.",
        HelpName = "url",
        Recursive = true,
    };

    private readonly Option<string> _token = new("--token")
    {
        Description = "An admin token (TOLLGATE_ADMIN_TOKEN). Prefer the variable: options show in process lists and shell history.",
        Recursive = true,
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print the API's JSON exactly as it answered, for scripts.", Recursive = true };

    private readonly Option<string> _idempotencyKey = new("--idempotency-key")
    {
        Description = "Run this change at most once: repeating the command with the same key returns the first result.",
        HelpName = "key",
    };

    public CliEnvironment Environment { get; } = environment;

    /// <summary>A resource's verbs under one name, with the connection options.</summary>
    public Command Group(string name, string description, params Command[] verbs)
    {
        var group = new Command(name, description) { _server, _token, _json };
        foreach (var verb in verbs) group.Subcommands.Add(verb);
        return group;
    }

    /// <summary>A verb of its own at the top level (such as <c>reconcile</c>), with the connection options.</summary>
    public Command Single(string name, string description, Func<VerbCall, Task> run, params Symbol[] symbols)
    {
        var command = Build(name, description, run, symbols, posts: false);
        command.Options.Add(_server);
        command.Options.Add(_token);
        command.Options.Add(_json);
        return command;
    }

    /// <summary>A verb that reads, or changes with PUT, PATCH or DELETE (idempotent by nature).</summary>
    public Command Verb(string name, string description, Func<VerbCall, Task> run, params Symbol[] symbols) =>
        Build(name, description, run, symbols, posts: false);

    /// <summary>A verb that changes with POST: it accepts <c>--idempotency-key</c> so a retried script does not create twice.</summary>
    public Command Posting(string name, string description, Func<VerbCall, Task> run, params Symbol[] symbols) =>
        Build(name, description, run, symbols, posts: true);

    /// <summary>A verb that needs no server (a calculation): it honours <c>--json</c> but opens no connection.</summary>
    public Command Local(string name, string description, Action<ParseResult, CliOutput> run, params Option[] options)
    {
        var command = new Command(name, description);
        foreach (var option in options) command.Options.Add(option);
        command.SetAction((ParseResult result, CancellationToken _) => CliAction.RunAsync(Environment.Error, () =>
        {
            run(result, new CliOutput(Environment.Out, result.GetValue(_json)));
            return Task.CompletedTask;
        }));
        return command;
    }

    private Command Build(string name, string description, Func<VerbCall, Task> run, Symbol[] symbols, bool posts)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
                default:
                    throw new ArgumentException($"A verb takes arguments and options, not {symbol.GetType().Name}.", nameof(symbols));
            }
        }
        if (posts) command.Options.Add(_idempotencyKey);
        command.SetAction((ParseResult result, CancellationToken cancellationToken) => CliAction.RunAsync(Environment.Error, async () =>
        {
            var server = result.GetValue(_server) ?? Environment.Variable("TOLLGATE_SERVER") ?? ApiClient.DefaultServer;
            var token = result.GetValue(_token) ?? Environment.Variable("TOLLGATE_ADMIN_TOKEN");
            using var api = new ApiClient(server, token, Environment.Handler, posts ? result.GetValue(_idempotencyKey) : null);
            await run(new VerbCall(result, api, new CliOutput(Environment.Out, result.GetValue(_json)), Environment, cancellationToken));
        }));
        return command;
    }
}
