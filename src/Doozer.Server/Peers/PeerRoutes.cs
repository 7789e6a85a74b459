namespace Doozer.Server.Peers;

/// <summary>The peer channel's paths; versioned so a future transport can live beside this one.</summary>
internal static class PeerRoutes
{
    public const string Prefix = "/peer/v1";

    public const string MessagesRoute = "/messages";

    public const string SnapshotRoute = "/snapshot/{slot:long}";

    public const string JoinRoute = "/join";

    public const string Messages = Prefix + MessagesRoute;

    public const string Join = Prefix + JoinRoute;

    public static string SnapshotOf(long slot) => "/peer/v1/snapshot/" + slot.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
