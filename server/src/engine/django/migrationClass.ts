// What Django reads from a migration module beyond its operations: whether its loader picks the module up at all,
// and whether the Migration class runs in one transaction.
import type { MigrationModel } from '../python/model';

/**
 * Django skips modules whose name starts with `_` or `~` when it loads an app's migrations (pkgutil.iter_modules,
 * MigrationLoader), so such files are no graph nodes.
 */
export function isLoadableMigrationName(name: string): boolean {
  return name.length > 0 && name[0] !== '_' && name[0] !== '~';
}

/** The Migration class's `atomic`: true (Django's default), false, or undefined when not a literal. */
export function migrationAtomic(file: MigrationModel): boolean | undefined {
  const atomic = file.migrationClass?.atomic;
  return atomic ? atomic.value : true;
}
