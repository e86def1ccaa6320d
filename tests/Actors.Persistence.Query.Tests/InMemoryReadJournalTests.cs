using Actors.Persistence.InMemory;
using Actors.Persistence.Journal;

namespace Actors.Persistence.Query.Tests;

/// <summary>The read journal spec over an <see cref="InMemoryJournal"/>, a fresh one per test.</summary>
public sealed class InMemoryReadJournalTests : ReadJournalSpec
{
    protected override Task<IJournal> CreateJournalAsync() => Task.FromResult<IJournal>(new InMemoryJournal(Serializer));

    protected override ReadJournal CreateReadJournal(IJournal journal, ReadJournalOptions options) =>
        new InMemoryReadJournal((InMemoryJournal)journal, options);
}
