namespace Actors.Hosting.Hocon;

/// <summary>
/// Replaces every <see cref="HoconPending"/> in a parsed tree with its value. Lookups resolve the
/// fields they walk through on demand, so substitutions may refer to values defined later.
/// </summary>
internal sealed class HoconResolver(HoconObject root, Func<string, string?> environment)
{
    private readonly HashSet<HoconPending> _inProgress = [];
    private readonly Stack<HoconSubstitution> _chain = new();

    public void Resolve() => ResolveObject(root);

    private HoconObject ResolveObject(HoconObject target)
    {
        if (target.IsResolved)
        {
            return target;
        }

        foreach (var key in target.Fields.Keys.ToArray())
        {
            if (target.GetOrNull(key) is not { } value)
            {
                continue;
            }

            SetOrRemove(target, key, ResolveValue(value));
        }

        target.IsResolved = true;
        return target;
    }

    private HoconList ResolveList(HoconList list)
    {
        if (!list.IsResolved)
        {
            // An undefined optional substitution as a list element simply drops the element.
            list.ReplaceItems(list.Items.Select(ResolveValue).OfType<HoconValue>());
            list.IsResolved = true;
        }

        return list;
    }

    private HoconValue? ResolveValue(HoconValue value) => value switch
    {
        HoconObject obj => ResolveObject(obj),
        HoconList list => ResolveList(list),
        HoconPending pending => ResolvePending(pending),
        _ => value,
    };

    private HoconValue? ResolvePending(HoconPending pending)
    {
        if (pending.IsResolved)
        {
            return pending.Result; // sync-ok: HoconPending.Result is the resolved value, not a Task
        }

        if (!_inProgress.Add(pending))
        {
            throw CycleError(pending);
        }

        try
        {
            var parts = pending.Parts
                .Select(part => part is HoconSubstitution substitution ? ResolveSubstitution(substitution, pending) : ResolveValue(part))
                .ToList();
            var value = HoconConcatenation.Join(parts, HoconMerge.Combine);
            var result = value switch
            {
                null => ResolvePrevious(pending),
                HoconObject obj when ResolvePrevious(pending) is HoconObject earlier => HoconMerge.Combine(obj, earlier),
                _ => value,
            };
            pending.Complete(result);
            return result;
        }
        finally
        {
            _inProgress.Remove(pending);
        }
    }

    private HoconValue? ResolvePrevious(HoconPending pending) =>
        pending.Previous is null ? null : ResolveValue(pending.Previous);

    private HoconValue? ResolveSubstitution(HoconSubstitution substitution, HoconPending owner)
    {
        _chain.Push(substitution);
        try
        {
            var isSelfReference = substitution.IsSelfReference
                || (owner.FieldPath is not null && substitution.Path.SequenceEqual(owner.FieldPath));
            if (isSelfReference)
            {
                // port = ${?PORT} style overrides and path = ${path}":/x" read the value being replaced.
                var previous = ResolvePrevious(owner);
                if (previous is not null || substitution.IsSelfReference)
                {
                    return previous;
                }
            }
            else
            {
                var found = Lookup(substitution.Path);
                if (found is null && substitution.Path.Length != substitution.WrittenPath.Length)
                {
                    // Inside an included file the path is first taken relative to the include point.
                    found = Lookup(substitution.WrittenPath);
                }

                if (found is not null)
                {
                    return found;
                }
            }

            if (environment(string.Join('.', substitution.WrittenPath)) is { } variable)
            {
                return new HoconScalar(variable, HoconScalarKind.String, substitution.Origin);
            }

            if (substitution.IsOptional)
            {
                return null;
            }

            throw new HoconSubstitutionException(
                substitution.PathText,
                substitution.Origin,
                $"could not resolve substitution {substitution.Display}: no configuration value at '{substitution.PathText}' and no environment variable of that name");
        }
        finally
        {
            _chain.Pop();
        }
    }

    private HoconValue? Lookup(string[] path)
    {
        HoconValue current = root;
        foreach (var segment in path)
        {
            if (current is not HoconObject obj || obj.GetOrNull(segment) is not { } child)
            {
                return null;
            }

            if (child is HoconPending pending)
            {
                var resolved = ResolvePending(pending);
                SetOrRemove(obj, segment, resolved);
                if (resolved is null)
                {
                    return null;
                }

                child = resolved;
            }

            current = child;
        }

        return ResolveValue(current);
    }

    private static void SetOrRemove(HoconObject target, string key, HoconValue? value)
    {
        if (value is null)
        {
            target.Remove(key);
        }
        else
        {
            target.Set(key, value);
        }
    }

    private HoconSubstitutionException CycleError(HoconPending pending)
    {
        if (!_chain.TryPeek(out var current))
        {
            var path = pending.FieldPath is null ? "<list element>" : HoconPath.Format(pending.FieldPath);
            return new HoconSubstitutionException(path, pending.Origin, $"could not resolve '{path}' because its value refers to itself");
        }

        var chain = string.Join(" -> ", _chain.Reverse().Select(s => $"{s.Display} ({s.Origin})"));
        return new HoconSubstitutionException(
            current.PathText,
            current.Origin,
            $"could not resolve substitution {current.Display} because substitutions form a cycle: {chain}");
    }
}
