using Doozer.Cli;

return await DoozerCommand.RunAsync(args, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error);
