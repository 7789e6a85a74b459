using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Doozer.Server.Api;

/// <summary>
/// Range checks of query values (API.md section 4). Values that do not parse at all are rejected by parameter
/// binding before a handler runs; both become 400 bad-request.
/// </summary>
public static class Query
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;

    public static ProblemHttpResult? Limit(int? limit, out int pageSize)
    {
        pageSize = limit ?? DefaultLimit;
        return pageSize is < 1 or > MaxLimit ? Bad($"limit must be from 1 to {MaxLimit}, got {limit}.") : null;
    }

    public static ProblemHttpResult? Rev(long? rev) =>
        rev is < 0 ? Bad($"rev must not be negative, got {rev}.") : null;

    /// <summary>Seconds from <paramref name="min"/> to <paramref name="max"/>, fractions allowed.</summary>
    public static ProblemHttpResult? Seconds(string name, double? value, double fallback, double min, double max, out TimeSpan span)
    {
        var seconds = value ?? fallback;
        span = TimeSpan.Zero;
        if (double.IsNaN(seconds) || seconds < min || seconds > max)
            return Bad($"{name} must be from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)} seconds, got {value?.ToString(CultureInfo.InvariantCulture)}.");
        span = TimeSpan.FromSeconds(seconds);
        return null;
    }

    /// <summary><c>linearizable</c> (default) or <c>stale</c>.</summary>
    public static ProblemHttpResult? Consistency(string? consistency, out bool stale)
    {
        stale = consistency == "stale";
        return consistency is null or "linearizable" or "stale"
            ? null
            : Bad($"consistency must be 'linearizable' or 'stale', got '{consistency}'.");
    }

    /// <summary><c>base64</c> (default) or <c>utf8</c>.</summary>
    public static ProblemHttpResult? Encoding(string? encoding, out bool utf8)
    {
        utf8 = encoding == "utf8";
        return encoding is null or "utf8" or "base64" ? null : Bad($"encoding must be 'base64' or 'utf8', got '{encoding}'.");
    }

    public static ProblemHttpResult Bad(string detail) => Problem.Of(ProblemKind.BadRequest, detail);
}
