using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tollgate.Cli;

/// <summary>A successful admin API answer: its JSON text exactly as sent (for <c>--json</c>) and a typed reading of it.</summary>
internal sealed record ApiResponse(string Json)
{
    public T Read<T>(JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(Json, type) ?? throw new JsonException("The answer was JSON null.");
        }
        catch (JsonException ex)
        {
            // A server of another version, or not Tollgate at all: say so rather than print half a table.
            throw new CliFailure(ExitCodes.Failed, $"The server's answer could not be read as {type.Type.Name}: {ex.Message}",
                hint: "Is --server a Tollgate of the same version as this CLI? --json prints the answer as it came.");
        }
    }
}
