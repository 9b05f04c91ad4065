using Tollgate.Bench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"tollgate-bench: {ex.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
// Ctrl+C stops the measurements; the processes this run started are still stopped on the way out.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    return await new BenchRun(options).RunAsync(cancel.Token);
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or OperationCanceledException)
{
    // A failed build, a target that never became ready, Ctrl+C: say why in one line; the processes are already stopped.
    Console.Error.WriteLine($"tollgate-bench: {ex.Message}");
    return 1;
}
