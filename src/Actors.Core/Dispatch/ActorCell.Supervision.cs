using Actors.Core.Supervision;

namespace Actors.Core;

internal sealed partial class ActorCell
{
    private void HandleChildFailure(Failed failed)
    {
        var child = failed.Child;
        if ((_flags & Terminating) != 0 || !IsChild(child)) return;

        var strategy = _actor?.SupervisorStrategy() ?? _props.SupervisorStrategy ?? SupervisorStrategy.Default;
        Directive directive;
        try { directive = strategy.Decide(failed.Cause); }
        catch (Exception e)
        {
            _system.Log.Error(e, $"The supervisor strategy of {Path} threw; escalating.");
            directive = Directive.Escalate;
        }

        switch (directive)
        {
            case Directive.Resume:
                _system.Log.Warning($"{child.Path} failed and resumes: {failed.Cause.Message}", failed.Cause);
                child.SendSystem(new Resume());
                break;
            case Directive.Restart when strategy.RequestRestartPermission(child.RestartStats):
                _system.Log.Error(failed.Cause, $"{child.Path} failed and restarts.");
                child.SendSystem(new Recreate(failed.Cause));
                break;
            case Directive.Restart:
                _system.Log.Error(failed.Cause, $"{child.Path} failed too often and stops.");
                child.SendSystem(new Terminate());
                break;
            case Directive.Stop:
                _system.Log.Error(failed.Cause, $"{child.Path} failed and stops.");
                child.SendSystem(new Terminate());
                break;
            case Directive.Escalate:
                HandleFailure(failed.Cause, null);
                break;
            default:
                throw new InvalidOperationException($"Unknown directive {directive}.");
        }
    }

    /// <summary>Owned by the parent: only its thread reads and writes it.</summary>
    internal ChildRestartStats RestartStats => Extras.RestartStats ??= new ChildRestartStats();
}
