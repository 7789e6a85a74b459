namespace Doozer.TestKit.Linearizability.Etcd;

/// <summary>
/// What the client saw: a read's value (null = never written), whether a compare-and-set swapped, or nothing at all
/// (<see cref="Unknown"/>: the request timed out, and every state accepts it).
/// </summary>
public readonly record struct EtcdOutput(bool Unknown, bool Swapped, int? Value)
{
    public static EtcdOutput TimedOut { get; } = new(true, false, null);

    public static EtcdOutput Written { get; } = new(false, false, null);

    public static EtcdOutput Read(int? value) => new(false, false, value);

    public static EtcdOutput CompareAndSet(bool swapped) => new(false, swapped, null);

    public override string ToString() => Unknown ? "unknown" : Value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : Swapped ? "swapped" : "ok/nil/fail";
}
