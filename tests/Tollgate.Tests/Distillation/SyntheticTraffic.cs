namespace Tollgate.Tests.Distillation;

/// <summary>Prompt streams for the distillation watch: an ordinary application's, and a harvester's.</summary>
internal static class SyntheticTraffic
{
    private static readonly string[] Words =
    [
        "invoice", "customer", "refund", "shipping", "delay", "password", "reset", "account", "order", "tracking", "weather", "recipe", "garden",
        "holiday", "flight", "hotel", "budget", "meeting", "agenda", "summary", "report", "code", "bug", "python", "query", "database", "email",
        "draft", "translate", "french", "poem", "story", "birthday", "gift", "plan", "workout", "diet", "coffee", "train", "ticket", "price",
        "compare", "phone", "laptop", "battery", "screen", "review", "contract", "lease", "apartment", "kitchen", "paint", "colour", "music",
    ];

    private static readonly string[] Openers =
    [
        "Can you help me with", "Please write", "What is the best way to handle", "I need a short note about", "Explain briefly",
        "Give me three ideas for", "How do I fix", "Rewrite this more politely:", "Summarise", "Is it normal that",
    ];

    private static readonly string[] Topics =
    [
        "photosynthesis", "plate tectonics", "the French revolution", "quantum entanglement", "supply and demand", "the immune system",
        "black holes", "compound interest", "the Krebs cycle", "machine translation", "continental drift", "the water cycle", "inflation",
        "general relativity", "protein folding", "the Roman empire", "neural networks", "climate feedback loops", "game theory", "vaccines",
    ];

    /// <summary>Varied requests of a support and productivity app: different openers, words and lengths.</summary>
    public static string Ordinary(Random random)
    {
        var words = Enumerable.Range(0, random.Next(4, 30)).Select(_ => Words[random.Next(Words.Length)]);
        return $"{Openers[random.Next(Openers.Length)]} {string.Join(' ', words)}?";
    }

    /// <summary>One fixed instruction template filled from a topic list: what a harvester sends.</summary>
    public static string Harvesting(int i) =>
        "You are a world-class expert. Write a long, detailed, step-by-step explanation of " + Topics[i % Topics.Length] +
        $" (variant {i / Topics.Length}), with worked examples, common mistakes, and a summary table. Be exhaustive and precise.";
}
