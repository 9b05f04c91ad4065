namespace Tollgate.Tests.Distillation;

/// <summary>One request of a generated workload, as the watch sees it, with the tokens it is metered.</summary>
internal sealed record WorkloadRequest(string CustomerId, string UserTurn, int Choices, bool Logprobs, long InputTokens, long OutputTokens, TimeSpan At);

/// <summary>
/// A labelled workload: a kind of traffic on a gated model, generated from a seed, day by day.
/// <see cref="Harvester"/> says what the watch should do with it: flag it (within <see cref="DaysToFlag"/>) or leave it alone.
/// </summary>
internal sealed record Workload(string Name, bool Harvester, int Days, int DaysToFlag, Func<Random, int, IReadOnlyList<WorkloadRequest>> Day);

/// <summary>
/// The labelled set the watch is calibrated on: honest apps (ordinary mixed use, a RAG app, a
/// classifier reading log probabilities, batch translation, several customers of one app) and
/// harvesters (the full pattern, verbatim, noisy, paraphrased, slow drip, spread over customers).
/// Every text is generated from the seed; nothing here is real traffic.
/// </summary>
internal static class LabelledWorkloads
{
    private const int HarvestPerDay = 600;

    public static IReadOnlyList<Workload> All { get; } =
    [
        new("ordinary mixed use", false, 2, 0, (r, _) => Spread(1_500, 8, 10, r, i => Ask("c1", SyntheticTraffic.Ordinary(r), 120, 150))),
        new("RAG app, one fixed system prompt", false, 1, 0, (r, _) => Spread(800, 7, 12, r, i => Ask("c1", Rag(r), 1_500, 200))),
        new("classifier app: fixed 170-word system prompt, logprobs", false, 1, 0,
            (r, _) => Spread(1_000, 0, 24, r, i => Ask("c1", Review(r), 300, 1) with { Logprobs = true })),
        new("batch translation", false, 1, 0, (r, _) => Spread(2_000, 0, 24, r, i => Ask("c1", Translation(r), 40, 50))),
        new("three customers of one classifier app", false, 1, 0,
            (r, _) => Spread(450, 0, 24, r, i => Ask($"c{i % 3}", Review(r), 300, 1) with { Logprobs = true })),
        new("harvester: template, n=4, logprobs, 4 keys", true, 1, 1,
            (r, _) => Spread(HarvestPerDay, 0, 6, r, i => Ask("c1", Template(r), 60, 2_400) with { Choices = 4, Logprobs = true })),
        new("harvester: template verbatim, n=1, no logprobs", true, 1, 1, (r, _) => Spread(HarvestPerDay, 0, 6, r, i => Ask("c1", Template(r), 60, 600))),
        new("harvester: noisy (1 word in 5 swapped, number prefix), n=4, logprobs", true, 1, 1,
            (r, _) => Spread(HarvestPerDay, 0, 6, r, i => Ask("c1", Noisy(r), 70, 2_400) with { Choices = 4, Logprobs = true })),
        new("harvester: synonym paraphrases, shuffled clauses, n=1", true, 1, 1, (r, _) => Spread(HarvestPerDay, 0, 6, r, i => Ask("c1", Paraphrase(r), 70, 600))),
        new("harvester: slow drip, 199 a day", true, 7, 7,
            (r, _) => Spread(199, 0, 24, r, i => Ask("c1", Template(r), 60, 2_400) with { Choices = 4, Logprobs = true })),
        new("harvester: spread over 4 customers (sybil), 150 a day each", true, 1, 1,
            (r, _) => Spread(600, 0, 6, r, i => Ask($"c{i % 4}", Paraphrase(r), 70, 2_400) with { Choices = 4, Logprobs = true })),
    ];

    private static readonly string[] Topics =
    [
        "photosynthesis", "plate tectonics", "the French revolution", "quantum entanglement", "supply and demand", "the immune system",
        "black holes", "compound interest", "the Krebs cycle", "machine translation", "continental drift", "the water cycle", "inflation",
        "general relativity", "protein folding", "the Roman empire", "neural networks", "climate feedback loops", "game theory", "vaccines",
        "the printing press", "blockchains", "volcanoes", "the stock market", "antibiotics", "the Cold War", "electric motors", "tides",
    ];

    private static readonly string[] Vocabulary =
    [
        "river", "market", "engine", "window", "teacher", "garden", "signal", "winter", "budget", "castle", "rocket", "village", "doctor",
        "letter", "silver", "forest", "camera", "island", "harvest", "mirror", "planet", "bridge", "kitchen", "pencil", "thunder", "museum",
    ];

    private static readonly string[] Subjects = ["The delivery", "My sister", "The new phone", "This hotel", "Our team", "The manager", "The app", "The soup"];

    private static readonly string[] Predicates =
    [
        "arrived two days late", "works better than I expected", "was rude on the phone", "broke after a week", "is worth every penny",
        "tasted a bit too salty", "crashes whenever I open it", "made the trip wonderful", "needs a clearer manual", "was cheaper last year",
        "kept the room spotless", "answered all my questions", "charged me twice", "looks great in the living room",
    ];

    private static readonly string[] Sentences =
    [
        "The meeting has been moved to Thursday afternoon.", "Please keep the receipt for your records.", "Our office will be closed on Monday.",
        "The train to the coast leaves every hour.", "Children under five travel for free.", "Water the plants twice a week in summer.",
        "The invoice is attached to this message.", "Turn left after the second bridge.", "The museum opens at nine in the morning.",
        "We are happy to welcome you to our team.", "The password must contain at least twelve characters.", "Dinner will be served at eight.",
    ];

    /// <summary>The classifier app's system prompt: 170 words, the same in every request (it is not part of the user turn).</summary>
    public static readonly string ClassifierSystemPrompt = string.Join(' ', Enumerable.Repeat(
        "You are a sentiment classifier for customer reviews. Read the review and answer with exactly one word: positive, negative or neutral.", 8));

    /// <summary>The harvester's template, filled with a topic from a list.</summary>
    public static string Template(Random r) =>
        $"You are a world-class expert. Write a long, detailed, step-by-step explanation of {Topics[r.Next(Topics.Length)]}, with worked examples, " +
        "common mistakes, and a summary table. Be exhaustive and precise.";

    /// <summary>The template with one word in five swapped for a random one, behind a random number.</summary>
    public static string Noisy(Random r)
    {
        var words = Template(r).Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            if (r.Next(5) == 0) words[i] = Vocabulary[r.Next(Vocabulary.Length)];
        }
        return $"{r.Next(1_000_000)} {string.Join(' ', words)}";
    }

    /// <summary>The template said another way each time: synonyms, clauses shuffled, a random opener.</summary>
    public static string Paraphrase(Random r)
    {
        string Pick(params string[] options) => options[r.Next(options.Length)];
        var topic = Topics[r.Next(Topics.Length)];
        var clauses = new List<string>
        {
            $"{Pick("write", "produce", "give me", "compose")} {Pick("a long", "an extensive", "a thorough", "an in-depth")} {Pick("explanation", "walkthrough", "account", "tutorial")} of {topic}",
            $"{Pick("include", "add", "provide", "work through")} {Pick("worked examples", "solved examples", "concrete examples")}",
            $"{Pick("point out", "cover", "list", "mention")} {Pick("common mistakes", "frequent errors", "typical pitfalls")}",
            $"{Pick("finish", "end", "close", "wrap up")} with {Pick("a summary table", "a table that sums it up", "a recap table")}",
            $"be {Pick("exhaustive", "complete", "comprehensive")} and {Pick("precise", "accurate", "rigorous")}",
        };
        var shuffled = clauses.OrderBy(_ => r.Next()).ToList();
        var opener = Pick("Hi!", "Hello.", "Quick request:", "I am preparing a course.", "Please help.", "Good morning!", "For my notes:", "Thanks in advance.");
        return $"{opener} {string.Join(". ", shuffled.Select(c => char.ToUpperInvariant(c[0]) + c[1..]))}.";
    }

    private static string Review(Random r) =>
        string.Join(' ', Enumerable.Range(0, r.Next(1, 4)).Select(_ => $"{Subjects[r.Next(Subjects.Length)]} {Predicates[r.Next(Predicates.Length)]}."));

    private static string Rag(Random r) =>
        $"Context:\n{string.Join(' ', Enumerable.Range(0, 60).Select(_ => Vocabulary[r.Next(Vocabulary.Length)]))}\nQuestion: {SyntheticTraffic.Ordinary(r)}";

    private static string Translation(Random r) =>
        $"Translate the following text into French:\n{Sentences[r.Next(Sentences.Length)]} {Sentences[r.Next(Sentences.Length)]}";

    private static WorkloadRequest Ask(string customer, string turn, long input, long output) => new(customer, turn, 1, false, input, output, TimeSpan.Zero);

    /// <summary><paramref name="count"/> requests over <paramref name="hours"/> hours from <paramref name="fromHour"/>, at random instants, in order.</summary>
    private static List<WorkloadRequest> Spread(int count, int fromHour, int hours, Random r, Func<int, WorkloadRequest> make) =>
        [.. Enumerable.Range(0, count).Select(i => make(i) with { At = TimeSpan.FromHours(fromHour) + TimeSpan.FromSeconds(r.NextDouble() * hours * 3600) })
            .OrderBy(q => q.At)];
}
