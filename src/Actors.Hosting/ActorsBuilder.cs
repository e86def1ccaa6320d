using Actors.Core;
using Actors.Persistence.Serialization;

namespace Actors.Hosting;

/// <summary>What an application adds to the actor runtime when it registers it.</summary>
public sealed class ActorsBuilder
{
    internal List<Action<EventTypeRegistry>> EventTypeRegistrations { get; } = [];
    internal List<Func<ActorSystemSettings, ActorSystemSettings>> SettingsOverrides { get; } = [];
    internal Func<IServiceProvider, JournalStores>? StoresFactory { get; private set; }

    /// <summary>Maps the application's event types to their stable stored names.</summary>
    public ActorsBuilder RegisterEventTypes(Action<EventTypeRegistry> register)
    {
        EventTypeRegistrations.Add(register);
        return this;
    }

    public ActorsBuilder ConfigureSystem(Func<ActorSystemSettings, ActorSystemSettings> configure)
    {
        SettingsOverrides.Add(configure);
        return this;
    }

    /// <summary>Uses these stores instead of the configured provider (tests: an in-memory journal with faults injected).</summary>
    public ActorsBuilder UseStores(Func<IServiceProvider, JournalStores> factory)
    {
        StoresFactory = factory;
        return this;
    }
}
