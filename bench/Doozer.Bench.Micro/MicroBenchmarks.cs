using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Doozer.Bench.Micro;

/// <summary>
/// The entry point: BenchmarkDotNet's switcher over every benchmark here, with a short in-process job (3 warm-ups,
/// 3 iterations, no separate build of a host project) and the memory diagnoser. Pass --filter to pick benchmarks,
/// e.g. <c>--filter '*StoreApply*'</c>; <c>--job Default</c> etc. add BenchmarkDotNet's usual jobs.
/// </summary>
public static class MicroBenchmarks
{
    public static void Main(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(MemoryDiagnoser.Default);
        BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarks).Assembly).Run(args, config);
    }
}
