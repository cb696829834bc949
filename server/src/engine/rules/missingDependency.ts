// missing-dependency: a dependency on a migration that does not exist in an app that is in the workspace. Django
// raises NodeNotFoundError while loading the graph, so every `migrate`, `makemigrations` and test run fails.
import type { GraphRule } from './rule';
import { migrationKey, migrationReferences } from '../state/graph';
import { renameDependency } from '../fixes/dependencies';
import type { DeclaredFix } from '../fixes/types';
import type { Dependency } from '../python/model';

/** Names Django resolves itself instead of looking them up. */
const SPECIAL_NAMES = new Set(['__first__', '__latest__']);

export const missingDependency: GraphRule = {
  id: 'missing-dependency',
  title: 'Dependency on a migration that does not exist',
  severity: 'error',
  vendors: 'all',
  category: 'graph',
  scope: 'graph',
  dependsOn: 'graph',
  explanation: {
    summary:
      'The migration depends on a migration of an app in this project that does not exist (renamed, deleted, squashed away, or only present on another branch). ' +
      'Django raises `NodeNotFoundError: Migration shop.0043_x dependencies reference nonexistent parent node` while loading the graph, so `migrate`, `makemigrations`, `showmigrations` and the test runner all fail.',
    sql: 'None: Django aborts while building the migration graph.',
    lock: '',
    blocks: 'Every management command that loads migrations, and therefore the deploy.',
    rewrite: 'No.',
    safeAlternative:
      'Point the dependency at the migration that exists (check `python manage.py showmigrations shop`), usually the latest migration of that app that the new one really needs. If the target was squashed and deleted, depend on the squashed migration.',
    safeCode:
      'class Migration(migrations.Migration):\n' +
      '    dependencies = [\n' +
      '        # was ("shop", "0009_order_status"), a file that no longer exists\n' +
      '        ("shop", "0009_order_status_choices"),\n' +
      '        ("auth", "0012_alter_user_first_name_max_length"),  # apps outside the project are not checked\n' +
      '    ]\n',
    safeCodeLanguage: 'python',
  },
  check(ctx) {
    const namesByApp = new Map<string, Set<string>>();
    const appsWithRoot = new Set<string>();
    for (const node of ctx.graph.loadableNodes().values()) {
      const names = namesByApp.get(node.app) ?? new Set<string>();
      names.add(node.name);
      namesByApp.set(node.app, names);
      if (!node.dependencies.some((dependency) => dependency.app === node.app && !SPECIAL_NAMES.has(dependency.name))) appsWithRoot.add(node.app);
    }
    const replacements = ctx.graph.squashReplacements();
    for (const { file, dependency, runBefore } of migrationReferences(ctx.files)) {
      if (dependency.dynamic || SPECIAL_NAMES.has(dependency.name)) continue;
      const appNames = namesByApp.get(dependency.app);
      // Apps without migrations in the workspace (django.contrib, third-party packages) cannot be checked, nor can an
      // app whose first migration is absent: only part of its history was given (e.g. `check one_file.py`).
      if (!appNames || !appsWithRoot.has(dependency.app) || appNames.has(dependency.name)) continue;
      // Django redirects dependencies on replaced migrations to the squashed one (see replaced-migration-still-referenced).
      if (replacements.has(migrationKey(dependency.app, dependency.name))) continue;
      const candidate = sameNumberCandidate(dependency.name, appNames);
      ctx.report(file.path, {
        span: dependency.span,
        message: `${runBefore ? 'The run_before entry' : 'Dependency'} (\`${dependency.app}\`, \`${dependency.name}\`) does not exist: app \`${dependency.app}\` has no such migration${candidate ? ` (did you mean \`${candidate}\`?)` : ''}; Django raises NodeNotFoundError.`,
        fixes: candidate ? dependsOnFix(file, dependency, candidate) : [],
      });
    }
  },
};

/** The only existing migration with the same number (`0009_*`), a likely rename. */
function sameNumberCandidate(name: string, existing: Set<string>): string | undefined {
  const number = /^(\d+)_/.exec(name)?.[1];
  if (!number) return undefined;
  const matches = [...existing].filter((candidate) => candidate.startsWith(`${number}_`));
  return matches.length === 1 ? matches[0] : undefined;
}

/** "Depend on app.name": the literal dependency pointed at the migration that exists. */
function dependsOnFix(file: { text: string }, dependency: Dependency, name: string): DeclaredFix[] {
  const edits = renameDependency(file, dependency, name);
  return edits.length > 0 ? [{ title: `Depend on ${dependency.app}.${name}`, safe: false, edits }] : [];
}
