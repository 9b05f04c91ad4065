using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Tollgate.Storage;

/// <summary>
/// Tells an exception that says the storage itself is broken (disk full, read-only, I/O error,
/// corrupt or missing file, the database server out of resources or out of reach) from one that is
/// about the statement (a constraint, a lock held by another writer, a bad value). The first kind
/// trips the gateway (<see cref="StorageGuard"/>); the second is the caller's to answer.
/// </summary>
internal static class StorageFaults
{
    // SQLite primary result codes (the low byte of an extended code): https://sqlite.org/rescode.html
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    /// <summary>What broke, in a few words ("the disk is full"), when <paramref name="exception"/> (or one it wraps) is a storage fault; else null.</summary>
    public static string? Describe(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate)
                return aggregate.InnerExceptions.Select(Describe).FirstOrDefault(found => found is not null);
            if (Classify(e) is { } found) return found;
        }
        return null;
    }

    public static bool IsStorageFault(Exception exception) => Describe(exception) is not null;

    private static string? Classify(Exception e) => e switch
    {
        SqliteException sqlite => Sqlite((sqlite.SqliteExtendedErrorCode != 0 ? sqlite.SqliteExtendedErrorCode : sqlite.SqliteErrorCode) & 0xFF),
        PostgresException postgres => Postgres(postgres.SqlState),
        // No answer from the server at all (refused, reset, closed mid-statement): class 08 in effect. A pool that
        // is merely busy times out instead, and is load, not a broken database.
        NpgsqlException { InnerException: SocketException or IOException or EndOfStreamException } => "the database server cannot be reached",
        _ => null,
    };

    private static string? Sqlite(int primary) => primary switch
    {
        SqliteReadOnly => "the database is read-only (SQLite READONLY)",
        SqliteIoError => "the disk failed to read or write (SQLite IOERR)",
        SqliteCorrupt => "the database file is corrupt (SQLite CORRUPT)",
        SqliteFull => "the disk is full (SQLite FULL)",
        SqliteCantOpen => "the database file cannot be opened (SQLite CANTOPEN)",
        SqliteNotADatabase => "the file is not a database (SQLite NOTADB)",
        _ => null,
    };

    private static string? Postgres(string sqlState) => sqlState.Length < 2 ? null : sqlState[..2] switch
    {
        "53" => $"the database server is out of resources (SQLSTATE {sqlState})",
        "58" => $"the database server had a system error (SQLSTATE {sqlState})",
        "08" => $"the connection to the database server failed (SQLSTATE {sqlState})",
        "XX" => $"the database server had an internal error (SQLSTATE {sqlState})",
        _ => null,
    };
}
