namespace Tollgate.Billing.Pricing;

/// <summary>
/// The most a request can cost, reserved before it is served: every input token at the input
/// price, or the cached-input or cache-write price where the card makes one dearer, the whole output cap for every choice at the output
/// price, and the request fee. The backend is sent the same cap, so the charge cannot exceed it.
/// </summary>
public static class WorstCase
{
    public static decimal Amount(TokenRates rates, long inputTokens, long outputCap, int choices) =>
        Money.ForTokens(inputTokens, rates.DearestInputRate)
        + Money.ForTokens(outputCap * choices, rates.OutputPerMillion)
        + rates.RequestFee;

    /// <summary>
    /// The largest output cap that <paramref name="available"/> can pay for, given the input; 0 when
    /// not even the input fits. Said in refusals so a client knows what it could still ask for.
    /// </summary>
    public static long AffordableOutputCap(TokenRates rates, long inputTokens, int choices, decimal available)
    {
        var left = available - Amount(rates, inputTokens, 0, choices);
        if (left < 0) return 0;
        if (rates.OutputPerMillion == 0) return long.MaxValue;
        return (long)Math.Floor(left * Money.TokensPerPriceUnit / (rates.OutputPerMillion * choices));
    }
}
