namespace Doozer.TestKit.Linearizability.Kv;

/// <summary>A get's value (<c>""</c> when never written), or nothing for put and append; <see cref="Unknown"/> on a timeout.</summary>
public readonly record struct KvOutput(bool Unknown, string Value)
{
    public static KvOutput TimedOut { get; } = new(true, "");

    public static KvOutput Done { get; } = new(false, "");

    public static KvOutput Got(string value) => new(false, value);

    public override string ToString() => Unknown ? "unknown" : $"\"{Value}\"";
}
