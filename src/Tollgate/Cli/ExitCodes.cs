namespace Tollgate.Cli;

/// <summary>
/// What a script can branch on without reading the output. Usage errors share 2 with server
/// failures: in both cases retrying the same command unchanged will not help.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The server refused the request as invalid (a 4xx other than 401/403), or the local input was invalid.</summary>
    public const int Refused = 1;

    /// <summary>A usage error, a server error (5xx) or an answer the CLI could not read.</summary>
    public const int Failed = 2;

    /// <summary>No admin token, a wrong one, or one without the scope the action needs.</summary>
    public const int Unauthorized = 3;

    /// <summary>The server could not be reached or did not answer in time.</summary>
    public const int Unreachable = 4;

    /// <summary>An invoice run completed, but some customers could not be invoiced (or shutdown stopped it): run it again.</summary>
    public const int RunFailed = 5;

    /// <summary><c>reconcile</c> found a customer whose usage events, ledger, rollups and invoices do not agree.</summary>
    public const int Differences = 6;

    public const string Help = "Exit codes: 0 success; 1 request refused as invalid; 2 usage error or server failure; 3 missing, wrong or insufficient admin token; "
        + "4 server unreachable; 5 invoice run finished with failures; 6 reconcile found differences.";
}
