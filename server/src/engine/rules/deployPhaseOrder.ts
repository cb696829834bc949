// deploy-phase-order: a migration that runs before the deploy depends on one that runs after it. The pre-deploy
// run cannot apply it (its dependency is not applied yet), so the deploy either stops or runs the post-deploy
// migration early, while the old code still uses what it drops.
import { deployPhaseOf } from '../django/deployPhase';
import type { MigrationModel } from '../python/model';
import type { GraphRule } from './rule';
import { migrationKey } from '../state/graph';

export const deployPhaseOrder: GraphRule = {
  id: 'deploy-phase-order',
  title: 'Pre-deploy migration depends on a post-deploy one',
  severity: 'error',
  vendors: 'all',
  category: 'graph',
  scope: 'graph',
  // Phase markers are part of graphRuleSignature, so header edits are what can change the findings.
  dependsOn: 'graph',
  explanation: {
    summary:
      'Teams that split migrations into a pre-deploy run (before the new code starts) and a post-deploy run (after the old code is gone) need every pre-deploy migration to depend only on pre-deploy ones. ' +
      'This one depends on a post-deploy migration, so the pre-deploy run cannot apply it without first running the post-deploy one, which drops or changes what the old code still uses.',
    sql: 'None: this is about the order in which the deploy runs migrations.',
    lock: '',
    blocks: 'The pre-deploy `migrate` (django-safemigrate refuses it), or the old code if the post-deploy migration is run early.',
    rewrite: 'No.',
    safeAlternative:
      'Mark this migration post-deploy too (`safe = Safe.after_deploy()`), or make it depend on the last pre-deploy migration instead and move the post-deploy one after it.',
    safeCode:
      'from django_safemigrate import Safe\n\n' +
      'class Migration(migrations.Migration):\n' +
      '    safe = Safe.after_deploy()\n' +
      '    dependencies = [("shop", "0042_remove_order_legacy_status")]\n',
    safeCodeLanguage: 'python',
    notReported: [
      'migrations without a marker: what they mean depends on the tool and its version (django-safemigrate 2-4 ran them after the deploy, 5.0 in both phases)',
    ],
  },
  check(ctx) {
    const byKey = new Map<string, MigrationModel>();
    for (const file of ctx.files) byKey.set(migrationKey(file.app, file.name), file);
    for (const file of ctx.files) {
      const phase = deployPhaseOf(file, ctx.config);
      // Only an explicit pre-deploy marker: what an unmarked migration means depends on the tool and its version
      // (django-safemigrate 2-4 ran unmarked ones after the deploy, 5.0 runs them in both phases).
      if (phase.phase !== 'before-deploy') continue;
      for (const dependency of file.migrationClass?.dependencies ?? []) {
        if (dependency.dynamic) continue;
        const target = byKey.get(migrationKey(dependency.app, dependency.name));
        if (!target) continue;
        const targetPhase = deployPhaseOf(target, ctx.config);
        if (targetPhase.phase !== 'after-deploy') continue;
        ctx.report(file.path, {
          span: dependency.span,
          message: `\`${file.app}.${file.name}\` runs before the deploy (${phase.reason}) but depends on \`${target.app}.${target.name}\`, which runs after it (${targetPhase.reason}): the pre-deploy run cannot apply it`,
          advice: 'mark it post-deploy too or depend on a pre-deploy migration',
        });
      }
    }
  },
};
