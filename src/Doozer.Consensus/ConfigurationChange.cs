namespace Doozer.Consensus;

/// <summary>
/// "After applying slot <see cref="AppliedSlot"/>, the configuration is <see cref="Configuration"/>."
/// It governs slots from AppliedSlot + alpha on (the alpha window); the initial configuration has AppliedSlot 0
/// and governs every slot before the first change takes effect.
/// </summary>
public sealed record ConfigurationChange(long AppliedSlot, Configuration Configuration);
