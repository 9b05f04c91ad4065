using System.Globalization;
using Tollgate.Bench.Targets;

namespace Tollgate.Bench;

/// <summary>The run's settings, from the command line. Defaults finish in about eleven minutes on two cores.</summary>
internal sealed record BenchOptions
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(4);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Load on each target and scenario before any measurement. .NET compiles hot code again
    /// (tiered, profile-guided) over the first seconds under load, longer on a busy machine: a
    /// measurement before that measures the compiler.
    /// </summary>
    public TimeSpan Prime { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Before each measurement, wait up to this long for other processes to leave the cores (0: do not wait).</summary>
    public TimeSpan QuietWait { get; init; } = TimeSpan.Zero;

    /// <summary>Share of all cores that other processes may use for the machine to count as quiet.</summary>
    public double QuietPercent { get; init; } = 10;

    public int Rounds { get; init; } = 2;

    public int Connections { get; init; } = 32;

    /// <summary>Open-loop rates in requests per second: a light one every target can serve, and a moderate one.</summary>
    public IReadOnlyList<double> Rates { get; init; } = [500, 2000];

    /// <summary>Keep-alive connections the open-loop generator may use at once.</summary>
    public int OpenConnections { get; init; } = 64;

    public IReadOnlyList<string> Targets { get; init; } = ["direct", "yarp", "tollgate", "portkey"];

    public IReadOnlyList<string> Scenarios { get; init; } = [.. Scenario.All.Select(sc => sc.Name)];

    /// <summary>Customers and keys seeded for the chat-keys scenario and the memory mode.</summary>
    public int Customers { get; init; } = 1_000;

    public int Keys { get; init; } = 10_000;

    /// <summary>Memory mode: only Tollgate, this many requests over the seeded keys, peak RSS along the way.</summary>
    public long? MemoryRequests { get; init; }

    /// <summary>Quick mode measures the open loop only in the chat and chat-stream scenarios.</summary>
    public bool Quick { get; init; }

    /// <summary>PostgreSQL connection string for the Tollgate target (serve --database); SQLite in its data directory without it.</summary>
    public string? TollgateDatabase { get; init; }

    /// <summary>Tollgate processes on the one database; the load is spread over all of them.</summary>
    public int TollgateInstances { get; init; } = 1;

    /// <summary>Extra arguments for every <c>tollgate serve</c>, e.g. a shared-counter option.</summary>
    public IReadOnlyList<string> TollgateArguments { get; init; } = [];

    /// <summary>The whole run stops starting measurements past this, whatever is left.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromMinutes(15);

    public bool OwnClosedLoop { get; init; }

    /// <summary>A git commit to build Tollgate from instead of the working tree.</summary>
    public string? TollgateRef { get; init; }

    /// <summary>Extra environment for the Tollgate process, to compare settings (TOLLGATE_*, DOTNET_*).</summary>
    public IReadOnlyDictionary<string, string> TollgateEnvironment { get; init; } = new Dictionary<string, string>();

    public string? PortkeyDir { get; init; }

    public string? OutputDir { get; init; }

    public bool KeepData { get; init; }

    public bool Help { get; init; }

    public const string Usage = """
        tollgate-bench: load benchmark of Tollgate against the mock upstream directly, a bare YARP forwarder and Portkey.

        Usage: dotnet run -c Release --project bench/Tollgate.Bench -- [options]

          --quick                 one round of 1.5 s per measurement, one open-loop rate (chat and chat-stream only), 1.5 s priming,
                                  10,000 keys over 100 customers: under 2 min in all (give --customers after it to change)
          --duration 4s           measured time per target and load shape (s or ms)
          --warmup 1s             unmeasured load before each measurement
          --prime 8s              load per target and scenario before all measurements, until the JIT has settled
          --quiet-wait 0s         before each measurement, wait up to this long for other processes' load to drop
          --quiet-percent 10      ... below this share of all cores
          --rounds 2              rounds per load shape; targets take turns, in a rotated order each round
          --connections 32        closed-loop connections
          --rates 500,2000        open-loop request rates (requests/s)
          --open-connections 64   connections the open-loop generator may use at once
          --targets direct,yarp,tollgate,portkey
          --scenarios chat,chat-stream,chat-keys,chat-refused
          --customers 1000        customers seeded for chat-keys and --memory
          --keys 10000            keys seeded over them (POST /admin/v1/keys/import)
          --memory [N]            memory mode: Tollgate alone, N requests (default 1000000) over the seeded keys, peak RSS
          --tollgate-database CONN  run Tollgate on PostgreSQL (serve --database CONN) instead of SQLite
          --tollgate-instances 1  Tollgate processes on that database, load spread over all (more than 1 needs --tollgate-database)
          --tollgate-arg ARG      an extra argument for every tollgate serve (repeatable; --tollgate-arg=--x for one starting with --)
          --time-limit 15m        start no measurement after this much time (m or s)
          --own-closed-loop       use the built-in closed-loop generator even where wrk is installed
          --tollgate-ref REF      build Tollgate from git commit REF instead of the working tree
          --tollgate-env K=V      set an environment variable for the Tollgate process only (repeatable)
          --portkey-dir DIR       the Portkey peer's folder (default ../shared/peers/portkey)
          --out DIR               results folder (default bench/results/<UTC time>)
          --keep-data             keep Tollgate's data directory and the logs' temporary folder
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--quick" => options with
                {
                    Quick = true, Duration = TimeSpan.FromSeconds(1.5), Warmup = TimeSpan.FromSeconds(0.5), Rounds = 1, Rates = [options.Rates[^1]],
                    Prime = TimeSpan.FromSeconds(1.5), MemoryRequests = options.MemoryRequests is null ? null : 100_000,
                    // Customers are created one by one (about 36 ms each on a loaded 2-core machine); the keys, imported, are cheap.
                    Customers = 100,
                },
                "--customers" => options with { Customers = PositiveInt(Value()) },
                "--keys" => options with { Keys = PositiveInt(Value()) },
                "--memory" => options with
                {
                    MemoryRequests = i + 1 < args.Length && long.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0 ? long.Parse(args[++i], CultureInfo.InvariantCulture)
                        : options.Quick ? 100_000 : 1_000_000,
                },
                "--tollgate-database" => options with { TollgateDatabase = Value() },
                "--tollgate-instances" => options with { TollgateInstances = PositiveInt(Value()) },
                "--tollgate-arg" => options with { TollgateArguments = [.. options.TollgateArguments, Value()] },
                var eq when eq.StartsWith("--tollgate-arg=", StringComparison.Ordinal) => options with { TollgateArguments = [.. options.TollgateArguments, eq["--tollgate-arg=".Length..]] },
                "--duration" => options with { Duration = ParseTime(Value()) },
                "--warmup" => options with { Warmup = ParseTime(Value()) },
                "--prime" => options with { Prime = ParseTime(Value()) },
                "--quiet-wait" => options with { QuietWait = ParseTime(Value()) },
                "--quiet-percent" => options with { QuietPercent = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--rounds" => options with { Rounds = PositiveInt(Value()) },
                "--connections" => options with { Connections = PositiveInt(Value()) },
                "--rates" => options with { Rates = [.. List(Value()).Select(r => double.Parse(r, CultureInfo.InvariantCulture))] },
                "--open-connections" => options with { OpenConnections = PositiveInt(Value()) },
                "--targets" => options with { Targets = List(Value()) },
                "--scenarios" => options with { Scenarios = List(Value()) },
                "--time-limit" => options with { TimeLimit = ParseTime(Value()) },
                "--own-closed-loop" => options with { OwnClosedLoop = true },
                "--tollgate-ref" => options with { TollgateRef = Value() },
                "--tollgate-env" => options with { TollgateEnvironment = WithVariable(options.TollgateEnvironment, Value()) },
                "--portkey-dir" => options with { PortkeyDir = Value() },
                "--out" => options with { OutputDir = Value() },
                "--keep-data" => options with { KeepData = true },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (options.Rates.Any(r => r <= 0)) throw new ArgumentException("--rates must be positive");
        string[] knownTargets = ["direct", "yarp", "tollgate", "portkey"];
        if (options.Targets.Except(knownTargets).FirstOrDefault() is { } unknownTarget) throw new ArgumentException($"unknown target {unknownTarget}");
        if (options.Scenarios.Except(Scenario.All.Select(sc => sc.Name)).FirstOrDefault() is { } unknownScenario) throw new ArgumentException($"unknown scenario {unknownScenario}");
        if (options.TollgateInstances > 1 && options.TollgateDatabase is null) throw new ArgumentException("--tollgate-instances above 1 needs --tollgate-database: SQLite is one process's");
        if (options.Keys < options.Customers) throw new ArgumentException("--keys must be at least --customers");
        return options;
    }

    private static Dictionary<string, string> WithVariable(IReadOnlyDictionary<string, string> environment, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0) throw new ArgumentException($"--tollgate-env wants NAME=VALUE, not '{assignment}'");
        return new Dictionary<string, string>(environment) { [assignment[..equals]] = assignment[(equals + 1)..] };
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int PositiveInt(string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"'{value}' is not a positive integer");

    private static TimeSpan ParseTime(string value)
    {
        double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
        if (value.EndsWith("ms", StringComparison.Ordinal)) return TimeSpan.FromMilliseconds(Number(value[..^2]));
        if (value.EndsWith('s')) return TimeSpan.FromSeconds(Number(value[..^1]));
        if (value.EndsWith('m')) return TimeSpan.FromMinutes(Number(value[..^1]));
        return TimeSpan.FromSeconds(Number(value));
    }
}
