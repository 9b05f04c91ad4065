using Microsoft.AspNetCore.Http.HttpResults;

namespace Tollgate.Admin.Services;

/// <summary>
/// What an admin operation produced: its value, or the error the admin API answers with and the
/// console shows beside the form. One type, so both surfaces share one validation.
/// </summary>
internal readonly record struct Outcome<T>(T? Value, ApiErrorResult? Error) where T : class
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(ApiErrorResult error) => new(null, error);

    public Results<Ok<T>, ApiErrorResult> ToOk() => Error is { } error ? error : TypedResults.Ok(Value!);

    public Results<Created<T>, ApiErrorResult> ToCreated(Func<T, string> location) =>
        Error is { } error ? error : TypedResults.Created(location(Value!), Value!);
}
