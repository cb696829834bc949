// replaced-migration-still-referenced: the originals of a squashed migration were deleted but some migration still
// depends on one of them. Django redirects the dependency while the squashed migration keeps `replaces`; the day
// someone finishes the squash by removing `replaces` (as Django's docs ask), the graph breaks with NodeNotFoundError.
import type { GraphRule } from './rule';
import { migrationKey, migrationReferences } from '../state/graph';
import { renameDependency } from '../fixes/dependencies';
import type { DeclaredFix } from '../fixes/types';
import type { Dependency } from '../python/model';

export const replacedMigrationStillReferenced: GraphRule = {
  id: 'replaced-migration-still-referenced',
  title: 'Dependency on a deleted, squashed-away migration',
  severity: 'warning',
  vendors: 'all',
  category: 'graph',
  scope: 'graph',
  dependsOn: 'graph',
  explanation: {
    summary:
      'This dependency names a migration that was squashed and whose file is gone. It only works because the squashed migration still lists it in `replaces`, so Django redirects the dependency. ' +
      'Finishing the squash (removing `replaces`, as Django\'s docs require once every environment has migrated) turns it into `NodeNotFoundError`, and a half-applied squash on some server makes the redirection ambiguous.',
    sql: 'None: this is about how Django builds the migration graph.',
    lock: '',
    blocks: 'Nothing yet; later, every management command that loads migrations.',
    rewrite: 'No.',
    safeAlternative:
      'Depend on the squashed migration instead of the replaced one (the quick fix rewrites the name), so the squash can be completed by removing `replaces`.',
    safeCode:
      'class Migration(migrations.Migration):\n' +
      '    dependencies = [\n' +
      '        # was ("shop", "0003_order_status"), replaced by the squash and deleted\n' +
      '        ("shop", "0001_squashed_0004_order_notes"),\n' +
      '    ]\n',
    safeCodeLanguage: 'python',
  },
  check(ctx) {
    const present = ctx.graph.loadableNodes();
    const replacements = ctx.graph.squashReplacements();
    for (const { file, dependency, runBefore } of migrationReferences(ctx.files)) {
      if (dependency.dynamic) continue;
      const key = migrationKey(dependency.app, dependency.name);
      const squash = replacements.get(key);
      // While the original file still exists, the squash is in its transition phase and the dependency is fine.
      if (!squash || present.has(key) || squash.path === file.path) continue;
      ctx.report(file.path, {
        span: dependency.span,
        message: `${runBefore ? 'run_before names' : 'Depends on'} \`${dependency.app}.${dependency.name}\`, which \`${squash.app}.${squash.name}\` replaces and which no longer exists: point at \`${squash.name}\` instead so the squash can drop \`replaces\`.`,
        fixes: squash.app === dependency.app ? dependsOnFix(file, dependency, squash.name) : [],
      });
    }
  },
};

/** "Depend on app.name": the literal dependency pointed at the migration that exists. */
function dependsOnFix(file: { text: string }, dependency: Dependency, name: string): DeclaredFix[] {
  const edits = renameDependency(file, dependency, name);
  return edits.length > 0 ? [{ title: `Depend on ${dependency.app}.${name}`, safe: false, edits }] : [];
}
