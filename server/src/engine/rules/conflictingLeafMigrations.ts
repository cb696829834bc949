// conflicting-leaf-migrations: two branches each added a migration on top of the same parent. Django's `migrate`
// stops with "Conflicting migrations detected; multiple leaf nodes in the migration graph" until they are merged.
import type { MigrationModel } from '../python/model';
import type { GraphNode } from '../state/types';
import type { GraphContext, GraphRule } from './rule';
import { migrationKey, type MigrationGraph } from '../state/graph';

export const conflictingLeafMigrations: GraphRule = {
  id: 'conflicting-leaf-migrations',
  title: 'App has several leaf migrations',
  severity: 'error',
  vendors: 'all',
  category: 'graph',
  scope: 'graph',
  dependsOn: 'graph',
  explanation: {
    summary:
      'The app has more than one leaf migration (a migration nothing else in the app depends on), typically because two branches each added one on top of the same parent. ' +
      '`manage.py migrate` refuses to run ("Conflicting migrations detected; multiple leaf nodes in the migration graph") until they are merged, so the deploy stops.',
    sql: 'None: Django aborts before running any SQL.',
    lock: '',
    blocks: 'The whole deploy: `migrate` exits with CommandError for every app.',
    rewrite: 'No.',
    safeAlternative:
      'Run `python manage.py makemigrations --merge <app>` after merging the branches. It writes an empty merge migration that depends on every leaf, so the graph has one leaf again. If both branches touch the same fields, check that the order Django picks is safe (or rebase one branch and renumber its migration instead).',
    safeCode:
      '# python manage.py makemigrations --merge shop\n' +
      '# shop/migrations/0004_merge_0003_order_notes_0003_order_status.py\n' +
      'from django.db import migrations\n\n\n' +
      'class Migration(migrations.Migration):\n' +
      '    dependencies = [\n' +
      '        ("shop", "0003_order_notes"),\n' +
      '        ("shop", "0003_order_status"),\n' +
      '    ]\n\n' +
      '    operations = []\n',
    safeCodeLanguage: 'python',
    notReported: [
      "apps named by their AppConfig label rather than their folder: dependencies on `(\"mylibcore\", ...)` are that app's, wherever its folder is",
    ],
  },
  check(ctx) {
    const filesByPath = new Map(ctx.files.map((file) => [file.path, file]));
    for (const [app, leaves] of leavesByApp(ctx.graph, filesByPath)) {
      if (leaves.length < 2) continue;
      for (const leaf of leaves) report(ctx, app, leaf, leaves, filesByPath.get(leaf.path));
    }
  },
};

function report(ctx: GraphContext, app: string, leaf: GraphNode, leaves: GraphNode[], file: MigrationModel | undefined): void {
  const others = leaves.filter((other) => other !== leaf).map((other) => `\`${other.name}\``);
  ctx.report(leaf.path, {
    span: file?.migrationClass?.nameSpan ?? { start: 0, end: 0 },
    message: `\`${app}.${leaf.name}\` is a leaf migration, and so ${others.length === 1 ? 'is' : 'are'} ${others.join(', ')}: Django refuses to migrate \`${app}\` until they are merged`,
    advice: `merge them (\`python manage.py makemigrations --merge ${app}\`)`,
  });
}

/**
 * The leaves of every app whose graph is fully known. A leaf is a migration that no other migration of the same app
 * depends on (or is `run_before`), after Django's squash handling: a present squashed migration stands in for the
 * migrations it replaces. Apps with an unparsable file or a dependency on a same-app migration that is not in the
 * workspace are skipped, since their leaves cannot be told apart from gaps (missing-dependency reports those).
 */
function leavesByApp(graph: MigrationGraph, filesByPath: Map<string, MigrationModel>): Map<string, GraphNode[]> {
  const replacements = graph.squashReplacements();
  const present = graph.loadableNodes();
  // The migration a dependency really points at: the squashed one when the target was replaced.
  const resolve = (app: string, name: string): GraphNode | undefined => {
    const key = migrationKey(app, name);
    return replacements.get(key) ?? present.get(key);
  };
  const active = [...present.values()].filter((node) => !replacements.has(migrationKey(node.app, node.name)));
  const unreliableApps = new Set<string>();
  const hasChild = new Set<GraphNode>();
  for (const node of active) {
    const file = filesByPath.get(node.path);
    if (!file?.migrationClass || file.syntaxErrors.length > 0) unreliableApps.add(node.app);
    for (const dependency of node.dependencies) {
      if (dependency.app !== node.app || dependency.name === '__first__' || dependency.name === '__latest__') continue;
      const parent = resolve(dependency.app, dependency.name);
      if (parent) hasChild.add(parent);
      else unreliableApps.add(node.app);
    }
    // `run_before = [(app, X)]` makes X depend on this migration: this one has a child.
    for (const later of file?.migrationClass?.runBefore ?? []) {
      if (!later.dynamic && later.app === node.app && resolve(later.app, later.name)) hasChild.add(node);
    }
  }
  const leaves = new Map<string, GraphNode[]>();
  for (const node of active) {
    if (unreliableApps.has(node.app) || hasChild.has(node)) continue;
    const appLeaves = leaves.get(node.app) ?? [];
    appLeaves.push(node);
    leaves.set(node.app, appLeaves);
  }
  for (const appLeaves of leaves.values()) appLeaves.sort((a, b) => a.name.localeCompare(b.name));
  return leaves;
}
