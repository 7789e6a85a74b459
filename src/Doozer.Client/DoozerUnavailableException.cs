namespace Doozer.Client;

/// <summary>No node answered: every node failed the request (connection refused, timeout or <c>503</c>).</summary>
public sealed class DoozerUnavailableException : DoozerException
{
    /// <summary>Creates an exception without details.</summary>
    public DoozerUnavailableException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">Which nodes failed and how.</param>
    public DoozerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the last failure.</summary>
    /// <param name="message">Which nodes failed and how.</param>
    /// <param name="innerException">The last node's failure.</param>
    public DoozerUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
