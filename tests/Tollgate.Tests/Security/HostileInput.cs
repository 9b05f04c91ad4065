using System.Net.Http.Headers;
using System.Text;

namespace Tollgate.Tests.Security;

/// <summary>One hostile request: who sends it (an API key or an admin token), how it is built, and the 4xx it must get.</summary>
internal sealed record HostileCase(string Name, bool Admin, int Status, Func<HttpRequestMessage> Build);

/// <summary>The matrix of hostile requests: malformed and truncated JSON, wrong types, deep nesting, huge bodies and strings, invalid UTF-8, absurd numbers, header injection, path traversal and SQL-looking strings.</summary>
internal static class HostileInput
{
    private const string Chat = "/v1/chat/completions";
    private const string Hi = """[{"role":"user","content":"hi"}]""";

    public static readonly IReadOnlyList<HostileCase> Cases = Build();

    private static List<HostileCase> Build()
    {
        var cases = new List<HostileCase>();
        void Api(string name, int status, string path, byte[] body) => cases.Add(new(name, false, status, () => Post(path, body)));
        void ChatJson(string name, int status, string json) => Api(name, status, Chat, Encoding.UTF8.GetBytes(json));
        void AdminCall(string name, int status, HttpMethod method, string path, string? json = null, byte[]? raw = null) =>
            cases.Add(new(name, true, status, () => new HttpRequestMessage(method, path) { Content = raw is not null ? Content(raw) : json is null ? null : Content(Encoding.UTF8.GetBytes(json)) }));

        // Malformed and truncated JSON.
        ChatJson("open brace only", 400, "{");
        ChatJson("truncated before the end", 400, $$"""{"model":"tg-mini","messages":{{Hi}}""");
        ChatJson("truncated mid-string", 400, """{"model":"tg-mini","messages":[{"role":"user","content":"hi""");
        ChatJson("null document", 400, "null");
        ChatJson("string document", 400, "\"tg-mini\"");
        ChatJson("number document", 400, "42");
        ChatJson("trailing comma", 400, """{"model":"tg-mini",}""");
        ChatJson("single quotes", 400, "{'model':'tg-mini'}");
        ChatJson("two documents", 400, $$"""{"model":"tg-mini","messages":{{Hi}}}{"model":"tg-pro"}""");
        ChatJson("missing comma", 400, """{"model":"tg-mini" "messages":[]}""");
        ChatJson("raw control character in a string", 400, "{\"model\":\"tg-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"a\u0001b\"}]}");
        ChatJson("comment", 400, $$"""{"model":"tg-mini", /* hi */ "messages":{{Hi}}}""");
        ChatJson("NaN literal", 400, $$"""{"model":"tg-mini","max_tokens":NaN,"messages":{{Hi}}}""");
        ChatJson("Infinity literal", 400, $$"""{"model":"tg-mini","max_tokens":Infinity,"messages":{{Hi}}}""");
        ChatJson("duplicate model field", 400, $$"""{"model":"tg-mini","model":"tg-pro","messages":{{Hi}}}""");
        ChatJson("duplicate stream field", 400, $$"""{"model":"tg-mini","stream":false,"messages":{{Hi}},"stream":true}""");

        // Wrong types.
        ChatJson("model null", 400, $$"""{"model":null,"messages":{{Hi}}}""");
        ChatJson("model array", 400, $$"""{"model":["tg-mini"],"messages":{{Hi}}}""");
        ChatJson("model object", 400, $$"""{"model":{},"messages":{{Hi}}}""");
        ChatJson("messages object", 400, """{"model":"tg-mini","messages":{"role":"user"}}""");
        ChatJson("message null", 400, """{"model":"tg-mini","messages":[null]}""");
        ChatJson("message number", 400, """{"model":"tg-mini","messages":[42]}""");
        ChatJson("role number", 400, """{"model":"tg-mini","messages":[{"role":42,"content":"hi"}]}""");
        ChatJson("role null", 400, """{"model":"tg-mini","messages":[{"role":null,"content":"hi"}]}""");
        ChatJson("stream number", 400, $$"""{"model":"tg-mini","stream":1,"messages":{{Hi}}}""");
        ChatJson("stream string", 400, $$"""{"model":"tg-mini","stream":"true","messages":{{Hi}}}""");
        ChatJson("n fractional", 400, $$"""{"model":"tg-mini","n":1.5,"messages":{{Hi}}}""");
        ChatJson("n negative", 400, $$"""{"model":"tg-mini","n":-1,"messages":{{Hi}}}""");
        ChatJson("n huge", 400, $$"""{"model":"tg-mini","n":1e9,"messages":{{Hi}}}""");
        ChatJson("stream_options string", 400, $$"""{"model":"tg-mini","stream":true,"stream_options":"x","messages":{{Hi}}}""");

        // Absurd and negative output caps.
        foreach (var (label, value) in new[] { ("-1", "-1"), ("0", "0"), ("1e308", "1e308"), ("beyond long", "99999999999999999999999"), ("very negative", "-99999999999999999999"),
            ("string", "\"100\""), ("boolean", "true"), ("just past int", "2147483648"), ("fraction", "0.5"), ("exponent", "1E2000") })
        {
            ChatJson($"max_tokens {label}", 400, $$"""{"model":"tg-mini","max_tokens":{{value}},"messages":{{Hi}}}""");
        }
        ChatJson("max_completion_tokens int min", 400, $$"""{"model":"tg-mini","max_completion_tokens":-2147483648,"messages":{{Hi}}}""");

        // Deep nesting.
        ChatJson("deeply nested arrays", 400, new string('[', 10_000) + new string(']', 10_000));
        ChatJson("deeply nested unknown field", 400, $$"""{"model":"tg-mini","messages":{{Hi}},"x":{{Nested(200)}}}""");
        ChatJson("deeply nested content", 400, $$"""{"model":"tg-mini","messages":[{"role":"user","content":{{Nested(100)}}}]}""");
        Api("deeply nested embeddings input", 400, "/v1/embeddings", Encoding.UTF8.GetBytes($$"""{"model":"tg-embed","input":{{new string('[', 500) + "1" + new string(']', 500)}}}"""));

        // Huge bodies and strings.
        Api("body past the size limit", 413, Chat, Encoding.UTF8.GetBytes($$"""{"model":"tg-mini","messages":[{"role":"user","content":"{{new string('a', 17 * 1024 * 1024)}}"}]}"""));
        ChatJson("model name of a megabyte", 404, $$"""{"model":"{{new string('m', 1024 * 1024)}}","messages":{{Hi}}}""");
        ChatJson("a million empty messages", 400, $$"""{"model":"tg-mini","messages":[{{string.Join(',', Enumerable.Repeat("{}", 1_000_000))}}]}""");

        // Invalid UTF-8.
        Api("invalid UTF-8 in content", 400, Chat, Utf8With("{\"model\":\"tg-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"a", [0xFF, 0xFE], "\"}]}"));
        Api("overlong UTF-8 in content", 400, Chat, Utf8With("{\"model\":\"tg-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"a", [0xC0, 0xAF], "\"}]}"));
        Api("invalid UTF-8 in model", 400, Chat, Utf8With("{\"model\":\"tg-mini", [0xED, 0xA0, 0x80], "\",\"messages\":" + Hi + "}"));
        Api("truncated UTF-8 sequence in role", 400, Chat, Utf8With("{\"model\":\"tg-mini\",\"messages\":[{\"role\":\"us", [0xE2, 0x82], "er\",\"content\":\"hi\"}]}"));
        ChatJson("escaped lone high surrogate", 400, """{"model":"tg-mini","messages":[{"role":"user","content":"a\ud800b"}]}""");
        ChatJson("escaped lone low surrogate in a field name", 400, $$"""{"model":"tg-mini","messages":{{Hi}},"x\uDC00":1}""");
        Api("invalid UTF-8 in embeddings input", 400, "/v1/embeddings", Utf8With("{\"model\":\"tg-embed\",\"input\":\"a", [0xF8, 0x88, 0x80, 0x80, 0x80], "\"}"));

        // Header injection and hostile credentials.
        cases.Add(new("CR LF in the API key", false, 401, () => WithAuthorization("Bearer tg_abc\r\nX-Injected: yes")));
        cases.Add(new("key of 100 kB", false, 401, () => WithAuthorization("Bearer tg_" + new string('a', 100_000))));
        cases.Add(new("non-ASCII key", false, 401, () => WithAuthorization("Bearer tg_ééééééééééé_" + new string('é', 40))));
        cases.Add(new("NUL in key", false, 401, () => WithAuthorization("Bearer tg_\0aaaaaaaaaa_" + new string('a', 40))));
        cases.Add(new("basic scheme", false, 401, () => WithAuthorization("Basic dGc6dGc=")));
        cases.Add(new("idempotency key of 1000 characters", true, 400, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/customers") { Content = Content("""{"name":"x"}"""u8.ToArray()) };
            request.Headers.Add("Idempotency-Key", new string('k', 1000));
            return request;
        }));

        // Path traversal and SQL-looking strings in admin inputs.
        AdminCall("customer id traversal", 404, HttpMethod.Get, "/admin/v1/customers/..%2F..%2Fetc%2Fpasswd");
        AdminCall("customer id dot-dot", 404, HttpMethod.Get, "/admin/v1/customers/%2e%2e");
        AdminCall("key id SQL", 404, HttpMethod.Get, "/admin/v1/keys/'%20OR%20'1'='1");
        AdminCall("model id traversal", 400, HttpMethod.Put, "/admin/v1/models/..%2F..%2Fx", """{"backends":[{"kind":"simulator"}],"price":{"input":"1","output":"1"}}""");
        AdminCall("model id SQL", 400, HttpMethod.Put, "/admin/v1/models/x';DROP%20TABLE%20models;--", """{"backends":[{"kind":"simulator"}],"price":{"input":"1","output":"1"}}""");
        AdminCall("paging limit SQL", 400, HttpMethod.Get, "/admin/v1/customers?limit=1;DROP%20TABLE%20customers");
        AdminCall("grant to SQL customer id", 404, HttpMethod.Post, "/admin/v1/customers/1'%20OR%201=1--/grants", """{"amount":"5"}""");
        AdminCall("revoke SQL token id", 404, HttpMethod.Post, "/admin/v1/tokens/x'%20OR%20'a'='a/revoke");
        AdminCall("customer name of a megabyte", 400, HttpMethod.Post, "/admin/v1/customers", $$"""{"name":"{{new string('n', 1024 * 1024)}}"}""");
        AdminCall("customer name wrong type", 400, HttpMethod.Post, "/admin/v1/customers", """{"name":{"$ne":null}}""");
        AdminCall("admin body truncated", 400, HttpMethod.Post, "/admin/v1/customers", """{"name":"x""");
        AdminCall("admin body deeply nested", 400, HttpMethod.Post, "/admin/v1/customers", $$"""{"name":"x","extra":{{Nested(200)}}}""");
        AdminCall("admin body invalid UTF-8", 400, HttpMethod.Post, "/admin/v1/customers", raw: Utf8With("{\"name\":\"x", [0xFF], "\"}"));
        AdminCall("grant negative", 400, HttpMethod.Post, "/admin/v1/customers/{customer}/grants", """{"amount":"-5"}""");
        AdminCall("grant huge exponent", 400, HttpMethod.Post, "/admin/v1/customers/{customer}/grants", """{"amount":"1e400"}""");
        AdminCall("grant NaN", 400, HttpMethod.Post, "/admin/v1/customers/{customer}/grants", """{"amount":"NaN"}""");
        AdminCall("grant as number", 400, HttpMethod.Post, "/admin/v1/customers/{customer}/grants", """{"amount":5}""");
        AdminCall("grant beyond decimal", 400, HttpMethod.Post, "/admin/v1/customers/{customer}/grants", """{"amount":"99999999999999999999999999999999"}""");
        AdminCall("token scope SQL", 400, HttpMethod.Post, "/admin/v1/tokens", """{"name":"x","scopes":["full'; DROP TABLE admin_tokens;--"]}""");
        AdminCall("key models wrong type", 400, HttpMethod.Post, "/admin/v1/customers/{customer}/keys", """{"name":"k","models":"tg-mini"}""");
        AdminCall("usage filter bad time", 400, HttpMethod.Get, "/admin/v1/usage?from=yesterday';--");
        cases.Add(new("data-plane model path traversal", false, 404, () => new HttpRequestMessage(HttpMethod.Get, "/v1/models/..%2F..%2Fadmin%2Fv1%2Fcustomers")));
        cases.Add(new("data-plane path traversal to admin", false, 404, () => new HttpRequestMessage(HttpMethod.Get, "/v1/..%2Fadmin/v1/customers")));
        return cases;
    }

    private static HttpRequestMessage Post(string path, byte[] body) => new(HttpMethod.Post, path) { Content = Content(body) };

    private static ByteArrayContent Content(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static HttpRequestMessage WithAuthorization(string value)
    {
        var request = Post(Chat, Encoding.UTF8.GetBytes($$"""{"model":"tg-mini","messages":{{Hi}}}"""));
        request.Headers.TryAddWithoutValidation("Authorization", value);
        request.Headers.TryAddWithoutValidation("x-request-id", "req_mine\r\nSet-Cookie: injected=1");
        return request;
    }

    private static string Nested(int depth) => new string('[', depth) + "1" + new string(']', depth);

    private static byte[] Utf8With(string before, byte[] raw, string after) => [.. Encoding.UTF8.GetBytes(before), .. raw, .. Encoding.UTF8.GetBytes(after)];
}
