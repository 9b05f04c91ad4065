using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.AspNetCore.Http;
using Tollgate.Billing.Catalog;
using Tollgate.Catalog;
using Tollgate.Gateway;
using Tollgate.Upstreams;

namespace Tollgate.Tests.Gateway;

/// <summary>
/// Sniffing and rewriting over generated requests: the gateway changes only the model, the
/// output cap and (streams only) <c>stream_options.include_usage</c>, and forwards every other
/// field exactly; the sniffers agree with a full parse.
/// </summary>
public sealed class RewriteProperties
{
    private static readonly string[] CapFields = ["max_completion_tokens", "max_tokens"];

    /// <summary>Extra fields: names from a mix of plain, Unicode and metering-looking words; values of every JSON kind.</summary>
    private static Arbitrary<JsonObject> Requests()
    {
        var names = Gen.Elements("temperature", "top_p", "user", "seed", "tools", "x_vendor", "metadata", "n_extra", "émoji_🎉", "model_hint", "stream_extra", "max_tokens_hint");
        var values = Gen.OneOf(
            ArbMap.Default.GeneratorFor<int>().Select(i => (JsonNode?)i),
            ArbMap.Default.GeneratorFor<bool>().Select(b => (JsonNode?)b),
            Gen.Elements("a", "ü", "\"quoted\"", "\\", "line\nbreak", "👩‍👩‍👧").Select(s => (JsonNode?)s),
            Gen.Constant<JsonNode?>(null),
            Gen.Choose(0, 3).Select(n => (JsonNode?)new JsonArray([.. Enumerable.Range(0, n).Select(i => (JsonNode?)i)])));
        var extras = Gen.ListOf(Gen.Zip(names, values));
        var shape = Gen.Zip(Gen.Zip(ArbMap.Default.GeneratorFor<bool>(), Gen.Choose(1, 4096), (stream, cap) => (stream, cap)), Gen.Elements(0, 1, 2, 3),
            (first, capStyle) => (first.stream, first.cap, capStyle));
        return Gen.Zip(extras, shape, (fields, s) => (fields, s)).Select(t =>
        {
            var (fields, (stream, cap, capStyle)) = t;
            var request = new JsonObject
            {
                ["model"] = "public-model",
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
            };
            foreach (var field in fields) request[field.Item1] = field.Item2?.DeepClone();
            if (stream) request["stream"] = true;
            if (stream && capStyle == 3) request["stream_options"] = new JsonObject { ["include_usage"] = false, ["other"] = 1 };
            if (capStyle is 1 or 3) request["max_tokens"] = cap;
            if (capStyle == 2) request["max_completion_tokens"] = cap;
            return request;
        }).ToArbitrary();
    }

    [Property(MaxTest = 300)]
    public Property UpstreamBody_ChangesOnlyModelCapAndStreamOptions() =>
        Prop.ForAll(Requests(), Gen.Elements(CapFields).ToArbitrary(), Gen.Choose(1, 4096).ToArbitrary(), (original, capField, outputCap) =>
        {
            using var request = Sniffed(original, outputCap);
            var backend = new BackendEntry("b1", "public-model", 0, BackendKind.OpenAi, new BackendSettings { UpstreamModel = "upstream-name", CapParameter = capField }, []);

            var sent = JsonNode.Parse(UpstreamBody.For(request, backend))!.AsObject();

            var stream = original["stream"]?.GetValue<bool>() == true;
            var untouched = original.Where(p => p.Key is not ("model" or "max_tokens" or "max_completion_tokens") && !(stream && p.Key == "stream_options"))
                .All(p => sent.ContainsKey(p.Key) && JsonNode.DeepEquals(p.Value, sent[p.Key]));
            var onlyExpectedAdded = sent.Select(p => p.Key).All(k => original.ContainsKey(k) || k == capField || (stream && k == "stream_options"));
            var otherOptionsKept = !stream || original["stream_options"] is not JsonObject asked
                || asked.Where(o => o.Key != "include_usage").All(o => JsonNode.DeepEquals(o.Value, sent["stream_options"]![o.Key]));
            return untouched && onlyExpectedAdded && otherOptionsKept
                && sent["model"]!.GetValue<string>() == "upstream-name"
                && sent[capField]!.GetValue<int>() == outputCap
                && CapFields.Count(sent.ContainsKey) == 1
                && (stream ? sent["stream_options"]!["include_usage"]!.GetValue<bool>() : !sent.ContainsKey("stream_options"));
        });

    [Property(MaxTest = 300)]
    public Property IsObjectWith_AgreesWithAFullParse() =>
        Prop.ForAll(Requests(), Gen.Elements("usage", "model", "choices", "stream").ToArbitrary(), Gen.Choose(0, 40).ToArbitrary(), (request, property, cut) =>
        {
            var json = request.ToJsonString();
            // Also truncated texts: the sniffer must say no where a parse fails.
            var text = cut == 0 ? json : json[..Math.Max(0, json.Length - cut)];
            bool expected;
            try
            {
                using var document = JsonDocument.Parse(text);
                expected = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(property, out _);
            }
            catch (JsonException)
            {
                expected = false;
            }
            return SafeJson.IsObjectWith(Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(property)) == expected;
        });

    [Property(MaxTest = 300)]
    public Property HasLoneSurrogateEscape_TrueExactlyWhenAStringCannotBeDecoded() =>
        Prop.ForAll(Gen.ListOf(Gen.Elements("a", "\\ud83d\\ude00", "\\ud800", "\\udc00", "\\u00e9", "\\\\ud800", "é", "\\uD83D\\uDE00", "\\uDBFF")).ToArbitrary(), pieces =>
        {
            var json = $$"""{"content":"{{string.Concat(pieces)}}"}""";
            bool decodable;
            using (var document = JsonDocument.Parse(json))
            {
                try
                {
                    _ = document.RootElement.GetProperty("content").GetString();
                    decodable = true;
                }
                catch (InvalidOperationException)
                {
                    decodable = false;
                }
            }
            return SafeJson.HasLoneSurrogateEscape(Encoding.UTF8.GetBytes(json)) == !decodable;
        });

    private static GatewayRequest Sniffed(JsonObject body, int outputCap)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        var rented = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(rented, 0);
        var request = new GatewayRequest(new DefaultHttpContext(), ModelOperation.ChatCompletions, "req_property", DateTimeOffset.UnixEpoch);
        request.SetBody(rented, bytes.Length, JsonDocument.Parse(rented.AsMemory(0, bytes.Length)));
        request.Model = new ModelEntry("public-model", ModelKind.Chat, ModelTier.Standard, "o200k_base", 4096, "tests", DateTimeOffset.UnixEpoch, [], []);
        request.Stream = body["stream"]?.GetValue<bool>() == true;
        request.OutputCap = outputCap;
        return request;
    }
}
