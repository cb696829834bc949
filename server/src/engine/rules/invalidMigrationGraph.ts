// invalid-migration-graph: graphs Django refuses to load. A dependency cycle (a migration depending on itself
// included) raises CircularDependencyError in MigrationGraph.ensure_not_cyclic for every command that loads
// migrations; squashes that replace each other (or themselves) leave no consistent node to keep.
import type { Dependency, MigrationModel } from '../python/model';
import type { GraphRule } from './rule';
import { migrationKey } from '../state/graph';

interface Edge {
  to: string;
  dependency: Dependency;
}

export const invalidMigrationGraph: GraphRule = {
  id: 'invalid-migration-graph',
  title: 'Migration graph Django cannot load',
  severity: 'error',
  vendors: 'all',
  category: 'graph',
  scope: 'graph',
  dependsOn: 'graph',
  explanation: {
    summary:
      'Django builds one graph of every app\'s migrations before any management command that touches them. A cycle in `dependencies` (a migration that depends on itself, or A on B on A, across apps too) raises `CircularDependencyError`, and squashes that replace each other leave nothing consistent to keep, so `migrate`, `makemigrations` and `showmigrations` all fail.',
    sql: 'None: Django stops before running any SQL.',
    lock: '',
    blocks: 'Every command that loads migrations, on every machine.',
    rewrite: 'No.',
    safeAlternative: 'Remove the dependency that closes the cycle (usually one added by hand or left by a rebase), or keep only one of the squashes.',
    safeCode:
      'class Migration(migrations.Migration):\n' +
      '    dependencies = [\n' +
      '        ("shop", "0007_order_status"),  # not a later migration of the same chain\n' +
      '    ]\n',
    safeCodeLanguage: 'python',
  },
  check(ctx) {
    const byKey = new Map<string, MigrationModel>();
    for (const file of ctx.files) if (file.app && file.name && !byKey.has(migrationKey(file.app, file.name))) byKey.set(migrationKey(file.app, file.name), file);
    const replacements = ctx.graph.squashReplacements();
    const edges = new Map<string, Edge[]>();
    for (const [key, file] of byKey) {
      const out: Edge[] = [];
      for (const dependency of file.migrationClass?.dependencies ?? []) {
        if (dependency.dynamic || !dependency.app || !dependency.name) continue;
        let to = migrationKey(dependency.app, dependency.name);
        if (!byKey.has(to)) {
          const squash = replacements.get(to);
          if (!squash) continue;
          to = migrationKey(squash.app, squash.name);
        }
        out.push({ to, dependency });
      }
      edges.set(key, out);
    }
    for (const cycle of cyclesOf(edges)) {
      const inCycle = new Set(cycle);
      for (const key of cycle) {
        const file = byKey.get(key)!;
        const edge = edges.get(key)!.find((candidate) => inCycle.has(candidate.to))!;
        const others = cycle.filter((other) => other !== key).map((other) => `\`${other.replace('/', '.')}\``);
        const what = cycle.length === 1 ? 'depends on itself' : `is on a dependency cycle with ${others.join(', ')}`;
        ctx.report(file.path, {
          span: edge.dependency.span,
          message: `\`${file.app}.${file.name}\` ${what}; Django raises CircularDependencyError for every command that loads migrations`,
        });
      }
    }
    for (const [key, file] of byKey) {
      for (const replaced of file.migrationClass?.replaces ?? []) {
        const replacedKey = migrationKey(replaced.app, replaced.name);
        const other = byKey.get(replacedKey);
        const mutual = replacedKey === key || other?.migrationClass?.replaces.some((back) => migrationKey(back.app, back.name) === key);
        if (!mutual) continue;
        ctx.report(file.path, {
          span: replaced.span,
          ...(replacedKey === key
            ? { message: `\`${file.app}.${file.name}\` lists itself in \`replaces\`: Django cannot tell whether it is applied`, advice: 'remove the entry' }
            : { message: `\`${file.app}.${file.name}\` and \`${replaced.app}.${replaced.name}\` replace each other: Django cannot keep either consistently`, advice: 'keep one squash' }),
        });
      }
    }
  },
};

/** Strongly connected components with a cycle (Tarjan's algorithm, iterative so long chains cannot overflow). */
function cyclesOf(edges: ReadonlyMap<string, readonly Edge[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const start of edges.keys()) {
    if (index.has(start)) continue;
    const work: { key: string; next: number }[] = [{ key: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const out = edges.get(frame.key) ?? [];
      if (frame.next < out.length) {
        const to = out[frame.next++]!.to;
        if (!edges.has(to)) continue;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ key: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.key, Math.min(low.get(frame.key)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.key, Math.min(low.get(parent.key)!, low.get(frame.key)!));
      if (low.get(frame.key) !== index.get(frame.key)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.key);
      const selfLoop = component.length === 1 && (edges.get(frame.key) ?? []).some((edge) => edge.to === frame.key);
      if (component.length > 1 || selfLoop) cycles.push(component.reverse());
    }
  }
  return cycles;
}
