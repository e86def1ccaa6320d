using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Actors.Journal.Batching;
using Actors.Journal.Postgres;
using Actors.Journal.Sqlite;

namespace Actors.Journal;

/// <summary>
/// An Akka.Persistence journal on Akka.Persistence.Sql's tables (default table mapping: journal + tags) with group commit:
/// the WriteMessagesAsync calls of many persistent actors queue into one writer per lane, which commits everything queued
/// (up to max-batch-size events) in one transaction while the next batch gathers. The rows are exactly what
/// Akka.Persistence.Sql writes, so its journal, read journal and snapshot store work on them unchanged, and this journal
/// reads theirs. Configure under any path with <c>class = "Actors.Journal.GroupCommitJournal, Actors.Journal"</c>; the
/// defaults are in <see cref="DefaultConfiguration"/> (reference.conf, path akka.persistence.journal.group-commit).
/// </summary>
public sealed class GroupCommitJournal : AsyncWriteJournal
{
    /// <summary>The plugin id of the reference configuration.</summary>
    public const string PluginId = "akka.persistence.journal.group-commit";

    private static readonly Lazy<Config> Reference = new(LoadReference);

    /// <summary>The assembly's reference.conf (all under akka.persistence.journal.group-commit): add it as a fallback to the system's config.</summary>
    public static Config DefaultConfiguration => Reference.Value;

    /// <summary>The plugin section of the reference configuration.</summary>
    internal static Config ReferenceSection => Reference.Value.GetConfig(PluginId);

    private readonly JournalSettings _settings;
    private readonly IJournalStore _store;
    private readonly WriteBatcher _batcher;
    private readonly JournalRowSerializer _serializer;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    // The latest write task of each persistence id still in flight: a highest-sequence-number read waits for it.
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    public GroupCommitJournal(Config config)
    {
        _settings = JournalSettings.From(config);
        _store = _settings.Provider == JournalProvider.Sqlite
            ? new SqliteJournalStore(_settings)
            : new PostgresJournalStore(_settings);
        var writerUuid = _settings.UseWriterUuidColumn ? Guid.NewGuid().ToString("N") : null;
        _serializer = new JournalRowSerializer(Context.System, _settings.DefaultSerializer, writerUuid);
        var key = CommitKey(_settings);
        _batcher = new WriteBatcher(_store.Writer, _settings.Lanes, _settings.MaxBatchSize, _settings.MaxBufferedWrites,
            _settings.ShutdownTimeout, (highest, writes) => JournalCommits.Publish(key, highest, writes));
    }

    /// <summary>The key under which <see cref="JournalCommits"/> announces this journal's commits.</summary>
    internal static string CommitKey(JournalSettings settings) => JournalCommits.KeyFor(settings.Provider, settings.ConnectionString);

    /// <summary>Events per committed transaction so far (for measurements).</summary>
    internal WriteBatcher Batcher => _batcher;

    protected override void PreStart()
    {
        base.PreStart();
        // Create the tables early, so the first write does not wait for it; a failure is retried by the first use.
        var log = _log;
        _store.EnsureInitializedAsync(CancellationToken.None).ContinueWith(
            t => log.Warning(t.Exception?.GetBaseException(), "Initializing the group-commit journal failed; retried on first use."),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    protected override void PostStop()
    {
        try
        {
            // Let queued writes commit (bounded by shutdown-timeout), then close the connections.
            if (!_batcher.DisposeAsync().AsTask().Wait(_settings.ShutdownTimeout + TimeSpan.FromSeconds(5)))
                _log.Warning("The group-commit journal's writer did not stop within {0}.", _settings.ShutdownTimeout);
            _store.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
        }
        catch (Exception e)
        {
            _log.Warning(e, "Stopping the group-commit journal failed.");
        }
        base.PostStop();
    }

    /// <summary>
    /// Akka.Persistence.Sql's SqlReadJournal asks its write-plugin journal whether it is initialized (an internal message,
    /// Akka.Persistence.Sql.Utility.IsInitialized) and waits up to 5 s for the answer when it starts: answer it like the
    /// stock journal does, once the tables exist, so the stock read journal can name this plugin as its write-plugin.
    /// </summary>
    protected override bool ReceivePluginInternal(object message)
    {
        if (message.GetType().FullName != "Akka.Persistence.Sql.Utility.IsInitialized") return false;
        var reply = message.GetType().Assembly.GetType("Akka.Persistence.Sql.Utility.Initialized")
            ?.GetField("Instance", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null);
        if (reply is null) return false;
        var sender = Sender;
        _store.EnsureInitializedAsync(CancellationToken.None).ContinueWith(
            t => { if (t.IsCompletedSuccessfully) sender.Tell(reply); else sender.Tell(new Status.Failure(t.Exception!.GetBaseException())); },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages as IReadOnlyList<AtomicWrite> ?? messages.ToList();
        var now = DateTime.UtcNow.Ticks;
        Exception?[]? rejections = null;
        var pending = new List<PendingWrite>(writes.Count);
        var indexes = writes.Count == 1 ? null : new List<int>(writes.Count);
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                pending.Add(_serializer.Prepare(writes[i], now));
                indexes?.Add(i);
            }
            catch (Exception e)
            {
                // Cannot be stored at all (serialization): rejected, not attempted, the actor goes on.
                (rejections ??= new Exception?[writes.Count])[i] = e;
            }
        }

        if (pending.Count > 0)
        {
            var task = _batcher.WriteAsync(pending, cancellationToken);
            var persistenceId = pending[0].PersistenceId;
            _inFlight[persistenceId] = task;
            try
            {
                await task.ConfigureAwait(false);
            }
            finally
            {
                _inFlight.TryRemove(new KeyValuePair<string, Task>(persistenceId, task));
            }

            Exception? failure = null;
            for (var p = 0; p < pending.Count; p++)
            {
                switch (pending[p].Outcome)
                {
                    case WriteResult.Stored:
                        break;
                    case WriteResult.Rejected rejected:
                        (rejections ??= new Exception?[writes.Count])[indexes?[p] ?? 0] = rejected.Cause;
                        break;
                    case WriteResult.Failed failed:
                        failure ??= failed.Cause;
                        break;
                    default:
                        failure ??= new InvalidOperationException("The journal left a write undecided.");
                        break;
                }
            }
            // A failure fails the call (WriteMessageFailure for its writes): the contract for anything not known to be stored.
            if (failure is not null) throw failure;
        }
        return rejections is null ? null! : ImmutableList.Create(rejections);
    }

    public override async Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback) =>
        await _store.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, _serializer, recoveryCallback, CancellationToken.None)
            .ConfigureAwait(false);

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_inFlight.TryGetValue(persistenceId, out var writing))
        {
            // Whether it succeeded or not: it must be over before the highest sequence number means anything.
            try { await writing.ConfigureAwait(false); } catch { /* its outcome went to its writer */ }
        }
        return await _store.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken).ConfigureAwait(false);
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) =>
        _store.DeleteMessagesToAsync(persistenceId, toSequenceNr, cancellationToken);

    private static Config LoadReference()
    {
        using var stream = typeof(GroupCommitJournal).Assembly.GetManifestResourceStream("Actors.Journal.reference.conf")
                           ?? throw new InvalidOperationException("Actors.Journal's reference.conf is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
