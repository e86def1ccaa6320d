using Akka.Configuration;
using Akka.Persistence.Journal;
using Bank.Actors.Serialization;

namespace Bank.Actors.Tests.Support;

/// <summary>The HOCON the specs' actor systems run with.</summary>
public static class SpecConfig
{
    /// <summary>
    /// What <c>WithBankSerializer</c> configures, written as HOCON: <see cref="BankSerializer"/> bound to every type of
    /// <see cref="BankManifests.BoundTypes"/>.
    /// </summary>
    public static Config BankSerializer { get; } = ConfigurationFactory.ParseString(
        $$"""
        akka.actor {
          serializers.{{Serialization.BankSerializer.Name}} = "{{TypeName(typeof(Serialization.BankSerializer))}}"
          serialization-bindings {
            {{string.Join("\n    ", BankManifests.BoundTypes.Select(type => $"\"{TypeName(type)}\" = {Serialization.BankSerializer.Name}"))}}
          }
        }
        """);

    /// <summary>
    /// Akka.Persistence.TestKit's journal (with <see cref="SerializingEventAdapter"/>) and a snapshot store that keeps
    /// bytes. Not <c>serialize-messages</c>: it would also put the journal's own local protocol through serialization,
    /// and <c>WriteMessageSuccess</c> comes back with its <c>Tagged</c> payload emptied (Tagged has no serializer of
    /// its own), so the persist handlers would get null events. The messages' serialization is specified in
    /// <see cref="BankSerializerSpecs"/> instead.
    /// </summary>
    public static Config Persistence { get; } = ConfigurationFactory.ParseString(
        $$"""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          # How long an ExpectMsg waits by default. Only a failing spec waits it out; a passing one goes on with the
          # message. Generous, because the first persist of a cold process takes 1.5 s on a busy 2-core machine.
          test.single-expect-default = 10s
          persistence {
            journal {
              plugin = "akka.persistence.journal.test"
              auto-start-journals = ["akka.persistence.journal.test"]
              test {
                class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
                plugin-dispatcher = "akka.actor.default-dispatcher"
                event-adapters.bank-bytes = "{{TypeName(typeof(SerializingEventAdapter))}}"
                event-adapter-bindings { "{{TypeName(typeof(Tagged))}}" = bank-bytes }
              }
            }
            snapshot-store {
              plugin = "akka.persistence.snapshot-store.test"
              auto-start-snapshot-stores = ["akka.persistence.snapshot-store.test"]
              test {
                class = "{{TypeName(typeof(SerializingSnapshotStore))}}"
                plugin-dispatcher = "akka.actor.default-dispatcher"
              }
            }
          }
        }
        """).WithFallback(BankSerializer);

    /// <summary>A node of its own on a free loopback port that joins itself; sharding keeps its state in distributed data.</summary>
    public static Config SingleNodeCluster { get; } = ConfigurationFactory.ParseString(
        """
        akka {
          actor.provider = cluster
          remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
          cluster {
            sharding {
              state-store-mode = ddata
              remember-entities = off
            }
            # The spec's system is terminated, not left: no grace periods to wait out.
            run-coordinated-shutdown-when-down = off
          }
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        """).WithFallback(Persistence);

    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
