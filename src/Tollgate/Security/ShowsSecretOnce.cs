namespace Tollgate.Security;

/// <summary>
/// Endpoint metadata: this route's answer holds a secret shown once (an API key, an admin token, a
/// signing secret). Whatever keeps a copy of the answer (idempotent replay) must not store it readable.
/// </summary>
internal sealed class ShowsSecretOnce
{
    public static readonly ShowsSecretOnce Instance = new();

    private ShowsSecretOnce()
    {
    }
}
