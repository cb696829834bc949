// Deploy phases: teams run some migrations before the new code is deployed and others after it (django-safemigrate's
// `safe = Safe.after_deploy()`, Sentry-style `is_post_deployment = True`, or a `post-deploy` glob list in config).
// In a post-deploy migration, dropping what the new code no longer uses is the safe pattern, not a risk.
import type { ResolvedConfig } from '../config/types';
import { firstMatchingGlob } from '../projectGlobs';
import type { Expr, MigrationModel } from '../python/model';

export type DeployPhase = 'before-deploy' | 'after-deploy' | 'unspecified';

export interface DeployPhaseDecision {
  phase: DeployPhase;
  /** How it was decided, for hovers and `explain`: `safe = Safe.after_deploy()`, `post-deploy glob "..."`. */
  reason: string;
}

const UNSPECIFIED: DeployPhaseDecision = { phase: 'unspecified', reason: 'no deploy-phase marker: runs with the deploy (before the new code)' };

/** django-safemigrate's Safe.* values. `always` runs in either phase: it behaves like a pre-deploy migration. */
const SAFEMIGRATE_PHASES: Record<string, DeployPhase> = {
  after_deploy: 'after-deploy',
  before_deploy: 'before-deploy',
  always: 'before-deploy',
};

export function deployPhaseOf(model: MigrationModel, config: Pick<ResolvedConfig, 'postDeploy' | 'root'>): DeployPhaseDecision {
  const attributes = model.migrationClass?.attributes;
  const safe = attributes?.get('safe')?.value;
  const fromSafe = safe ? safemigratePhase(safe, model) : undefined;
  if (fromSafe) return fromSafe;
  const postDeployment = attributes?.get('is_post_deployment')?.value;
  if (postDeployment?.kind === 'bool') {
    return postDeployment.value
      ? { phase: 'after-deploy', reason: '`is_post_deployment = True`' }
      : { phase: 'before-deploy', reason: '`is_post_deployment = False`' };
  }
  const glob = matchingGlob(model.path, config);
  if (glob) return { phase: 'after-deploy', reason: `matches the post-deploy glob ${JSON.stringify(glob)} in [tool.migration-guard]` };
  return UNSPECIFIED;
}

/**
 * `Safe.after_deploy()` (or `Safe.after_deploy` without the call), with `Safe` imported from django_safemigrate; and
 * its first spelling, `safe = False` (run after the deploy) / `safe = True`, in a file that imports django_safemigrate.
 */
function safemigratePhase(value: Expr, model: MigrationModel): DeployPhaseDecision | undefined {
  if (value.kind === 'bool') {
    if (!model.imports.some((entry) => entry.qualified.startsWith('django_safemigrate'))) return undefined;
    return value.value
      ? { phase: 'before-deploy', reason: '`safe = True` (django-safemigrate)' }
      : { phase: 'after-deploy', reason: '`safe = False` (django-safemigrate: after the deploy)' };
  }
  const callee = value.kind === 'call' ? value.callee : value;
  if (callee.kind !== 'name' || !callee.qualified.startsWith('django_safemigrate.')) return undefined;
  const member = callee.dotted.slice(callee.dotted.lastIndexOf('.') + 1);
  const phase = SAFEMIGRATE_PHASES[member];
  return phase ? { phase, reason: `\`safe = ${value.text.replace(/\s+/g, ' ')}\` (django-safemigrate)` } : undefined;
}

function matchingGlob(path: string, config: Pick<ResolvedConfig, 'postDeploy' | 'root'>): string | undefined {
  return firstMatchingGlob(path, config.postDeploy, config.root);
}
