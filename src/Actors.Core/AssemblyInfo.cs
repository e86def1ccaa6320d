using System.Runtime.CompilerServices;

// Persistent actors hook into the mailbox (recovery and writes hold it) through internal members of ActorBase.
[assembly: InternalsVisibleTo("Actors.Persistence")]
[assembly: InternalsVisibleTo("Actors.Core.Tests")]
