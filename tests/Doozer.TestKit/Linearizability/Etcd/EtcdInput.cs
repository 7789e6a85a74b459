namespace Doozer.TestKit.Linearizability.Etcd;

/// <summary>A register operation. Write: <see cref="Value"/>. Compare-and-set: <see cref="Expected"/> to <see cref="Value"/>.</summary>
public readonly record struct EtcdInput(EtcdOperation Kind, int Value, int Expected)
{
    public static EtcdInput Read() => new(EtcdOperation.Read, 0, 0);

    public static EtcdInput Write(int value) => new(EtcdOperation.Write, value, 0);

    public static EtcdInput CompareAndSet(int expected, int value) => new(EtcdOperation.CompareAndSet, value, expected);

    public override string ToString() => Kind switch
    {
        EtcdOperation.Read => "read",
        EtcdOperation.Write => $"write {Value}",
        _ => $"cas {Expected}->{Value}",
    };
}
