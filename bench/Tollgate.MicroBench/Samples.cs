using System.Text;

namespace Tollgate.MicroBench;

/// <summary>Inputs shared by the benchmarks: a typical chat request body and about 900 characters of prose.</summary>
internal static class Samples
{
    /// <summary>About 900 characters of ordinary English, the size of a short user message.</summary>
    public const string Text900 =
        "Tollgate sits between applications and the model providers they call. Every request is " +
        "authenticated with an API key, checked against the key's allowed models and rate limits, " +
        "priced before it is sent, and held against the customer's wallet and budgets so that no " +
        "number of concurrent requests can spend more than the customer has. The request is then " +
        "rewritten for the chosen backend: the model name becomes the upstream's own, the output cap " +
        "moves to the field that backend understands, and streaming requests ask for usage in the " +
        "final chunk. When the response comes back, the gateway reads the usage the provider reports, " +
        "counts tokens itself where that number is missing or absurd, settles the reservation at the " +
        "actual charge, and writes one usage event to the database in a batch with others. Operators " +
        "see spend per customer, key and model, and customers see their own balance and budgets.";

    /// <summary>A chat completion request as clients send it: system and user messages, a cap, streaming with options.</summary>
    public static readonly byte[] ChatBody = Encoding.UTF8.GetBytes($$"""
        {
          "model": "gpt-4o-mini",
          "messages": [
            { "role": "system", "content": "You are a helpful assistant. Answer briefly and cite the documentation where you can." },
            { "role": "user", "content": "{{Text900}}" },
            { "role": "assistant", "content": "Understood. What would you like to know about the gateway?" },
            { "role": "user", "name": "alice", "content": [ { "type": "text", "text": "Summarise the request path in three bullet points." } ] }
          ],
          "temperature": 0.2,
          "max_tokens": 512,
          "stream": true,
          "stream_options": { "include_usage": false },
          "user": "user-1234"
        }
        """);
}
