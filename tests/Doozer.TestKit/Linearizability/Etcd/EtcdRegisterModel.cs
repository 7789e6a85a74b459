namespace Doozer.TestKit.Linearizability.Etcd;

/// <summary>
/// Jepsen's etcd compare-and-set register: one integer, initially never written (null). The whole history is one
/// object, so there is a single partition.
/// </summary>
public sealed class EtcdRegisterModel : ILinearizabilityModel<int?, EtcdInput, EtcdOutput>
{
    public static EtcdRegisterModel Instance { get; } = new();

    public int? Init() => null;

    public bool Step(int? state, EtcdInput input, EtcdOutput output, out int? next)
    {
        switch (input.Kind)
        {
            case EtcdOperation.Read:
                next = state;
                return output.Unknown || output.Value == state;
            case EtcdOperation.Write:
                next = input.Value;
                return true;
            default:
                var matches = state == input.Expected;
                next = matches ? input.Value : state;
                // An unknown compare-and-set is taken to swap whenever it can: the runs where it did not swap are the
                // runs where it is linearized last, after everything that could observe it, which the search also tries.
                return output.Unknown || output.Swapped == matches;
        }
    }

    public bool IsReadOnly(EtcdInput input, EtcdOutput output) =>
        input.Kind == EtcdOperation.Read
        || (input.Kind == EtcdOperation.CompareAndSet && !output.Unknown && !output.Swapped);

    public bool Independent(EtcdInput a, EtcdInput b) => false;

    public bool Equal(int? a, int? b) => a == b;

    public int Hash(int? state) => state ?? int.MinValue;

    public IReadOnlyList<HistoryPartition<EtcdInput, EtcdOutput>> Partition(IReadOnlyList<Operation<EtcdInput, EtcdOutput>> history) =>
        HistoryPartition<EtcdInput, EtcdOutput>.Whole(history);
}
