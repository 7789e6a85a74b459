using Doozer.Contracts;

namespace Doozer.Client;

/// <summary>The first change a <see cref="DoozerClient.WaitAsync"/> found, and the other files its revision changed.</summary>
/// <param name="Event">The first matching change (path order within its revision).</param>
/// <param name="Also">The other matching files changed at the same revision; wait again from <c>Event.Rev + 1</c> to go on.</param>
public sealed record WaitResult(WatchEvent Event, IReadOnlyList<AlsoChanged> Also);
