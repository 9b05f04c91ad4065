using Tollgate.Gateway;

namespace Tollgate.Contracts;

/// <summary>A contract, gate or invitation change refused, with the error to answer (400 naming the field, 404, or 409).</summary>
internal sealed class ContractRefusedException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;

    public static ContractRefusedException Invalid(string message, string param) => new(ApiError.InvalidRequest(message, param));

    public static ContractRefusedException Missing(string what, string id) =>
        new(new ApiError(StatusCodes.Status404NotFound, "invalid_request_error", "resource_missing", $"No such {what}: '{id}'."));

    public static ContractRefusedException Conflict(string message, string code) =>
        new(new ApiError(StatusCodes.Status409Conflict, "invalid_request_error", code, message));
}
