using System.Globalization;
using System.Text;
using System.Text.Json;
using Tollgate.LocalModels.Llama;

namespace Tollgate.Upstreams.Local;

/// <summary>
/// Reads a chat completion request for an in-process GGUF model: text messages for the chat
/// template and the sampling settings llama.cpp honours. What it cannot honour (tools, several
/// choices, images) is refused with a 400 naming the field, rather than silently ignored.
/// </summary>
internal static class LlamaRequest
{
    private const int MaxStopSequences = 4;

    public static BackendFailure? Read(JsonElement body, string capField, out List<ChatTurn> turns, out GenerationOptions options)
    {
        turns = [];
        options = new GenerationOptions(0, []);
        foreach (var unsupported in (string[])["tools", "functions", "audio"])
        {
            if (body.TryGetProperty(unsupported, out var value) && value.ValueKind != JsonValueKind.Null)
                return BackendFailure.Invalid($"This model runs in-process and does not support '{unsupported}'.", unsupported);
        }
        if (OpenAiWire.ReadInt(body, "n") is > 1) return BackendFailure.Invalid("This model returns one choice per request: 'n' must be 1.", "n");
        if (ReadTurns(body, turns) is { } badMessage) return badMessage;

        var stop = OpenAiWire.ReadStop(body);
        if (stop.Count > MaxStopSequences || stop.Any(s => s.Length == 0))
            return BackendFailure.Invalid($"'stop' takes up to {MaxStopSequences} non-empty strings.", "stop");
        if (!ReadFloat(body, "temperature", 0, 2, 1, out var temperature)) return BackendFailure.Invalid("'temperature' must be a number from 0 to 2.", "temperature");
        if (!ReadFloat(body, "top_p", 0, 1, 1, out var topP)) return BackendFailure.Invalid("'top_p' must be a number from 0 to 1.", "top_p");
        uint? seed = null;
        if (body.TryGetProperty("seed", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (!s.TryGetInt64(out var value)) return BackendFailure.Invalid("'seed' must be an integer.", "seed");
            seed = unchecked((uint)(value ^ (value >> 32)));
        }
        if (ReadLogitBias(body, out var bias) is { } badBias) return badBias;
        // The gateway always writes the output cap in the backend's cap field.
        var maxTokens = OpenAiWire.ReadInt(body, capField) ?? OpenAiWire.ReadInt(body, "max_completion_tokens") ?? OpenAiWire.ReadInt(body, "max_tokens") ?? 4096;
        options = new GenerationOptions(maxTokens, stop, temperature, topP, seed, bias);
        return null;
    }

    private static BackendFailure? ReadTurns(JsonElement body, List<ChatTurn> turns)
    {
        var index = 0;
        foreach (var message in body.GetProperty("messages").EnumerateArray())
        {
            var role = message.GetProperty("role").GetString()!;
            if (role == "developer") role = "system";
            if (role is not ("system" or "user" or "assistant" or "tool"))
                return BackendFailure.Invalid($"Unknown role '{role}'.", $"messages[{index}].role");
            var text = new StringBuilder();
            if (message.TryGetProperty("content", out var content))
            {
                if (content.ValueKind == JsonValueKind.String)
                {
                    text.Append(content.GetString());
                }
                else if (content.ValueKind == JsonValueKind.Array)
                {
                    foreach (var part in content.EnumerateArray())
                    {
                        if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("text", out var partText) || partText.ValueKind != JsonValueKind.String)
                            return BackendFailure.Invalid("This model reads text only: every content part must be a text part.", $"messages[{index}].content");
                        text.Append(partText.GetString());
                    }
                }
                else if (content.ValueKind != JsonValueKind.Null)
                {
                    return BackendFailure.Invalid("'content' must be a string or an array of text parts.", $"messages[{index}].content");
                }
            }
            turns.Add(new ChatTurn(role, text.ToString()));
            index++;
        }
        return null;
    }

    private static BackendFailure? ReadLogitBias(JsonElement body, out Dictionary<int, float>? bias)
    {
        bias = null;
        if (!body.TryGetProperty("logit_bias", out var field) || field.ValueKind == JsonValueKind.Null) return null;
        if (field.ValueKind != JsonValueKind.Object) return BackendFailure.Invalid("'logit_bias' must map token ids to numbers.", "logit_bias");
        bias = [];
        foreach (var entry in field.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var token)
                || !entry.Value.TryGetDouble(out var value) || value is < -100 or > 100)
                return BackendFailure.Invalid("'logit_bias' maps token ids to numbers from -100 to 100.", "logit_bias");
            bias[token] = (float)value;
        }
        return null;
    }

    private static bool ReadFloat(JsonElement body, string name, double min, double max, float fallback, out float value)
    {
        value = fallback;
        if (!body.TryGetProperty(name, out var field) || field.ValueKind == JsonValueKind.Null) return true;
        if (!field.TryGetDouble(out var read) || read < min || read > max) return false;
        value = (float)read;
        return true;
    }
}
