// Which migration a file is, where a listed migration's file lives, and what "the migration before" means.
import { dirname, join, resolve } from 'node:path';
import { ProjectLayout } from '../../../server/src/engine/django/projectLayout';
import type { ListedMigration, ProjectSettings } from './djangoOutput';
import { commandLineNameProblem } from './djangoNames';

export interface MigrationRef {
  app: string;
  name: string;
}

/**
 * The app label and migration name of a migration file. The label is the one Django reported for the app that
 * owns the folder when known (an AppConfig may set its own label), else the folder's name, as Django's default.
 * Undefined when either is not a name Django accepts on its command line (see djangoNames.ts).
 */
export function migrationOfFile(file: string, apps?: ProjectSettings['apps']): MigrationRef | undefined {
  const identity = ProjectLayout.CONVENTIONAL.identify(file.split('\\').join('/'));
  if (!identity) return undefined;
  const folder = resolve(dirname(file));
  const owner = apps?.find((app) => app.path !== '' && resolve(app.path, 'migrations') === folder);
  const app = owner?.label ?? identity.app;
  // A file whose name could be taken for an option (`--fake.py`) is never offered as a manage.py target.
  return commandLineNameProblem(app, identity.name) === undefined ? { app, name: identity.name } : undefined;
}

/**
 * Where a migration's file is expected: in the folder Django loads the app's migrations from (MIGRATION_MODULES
 * honoured), else `<app folder>/migrations`; undefined when the app is unknown.
 */
export function migrationFilePath(migration: MigrationRef, apps: ProjectSettings['apps'] | undefined): string | undefined {
  const app = apps?.find((candidate) => candidate.label === migration.app);
  if (app?.migrationsPath) return join(app.migrationsPath, `${migration.name}.py`);
  return app && app.path !== '' ? join(app.path, 'migrations', `${migration.name}.py`) : undefined;
}

/**
 * The `migrate APP TARGET` target that unapplies `name` and everything after it in its app: the migration right
 * before it in graph order, or `zero` when it is the first. Undefined when `name` is not among the app's migrations.
 */
export function rollbackTarget(appMigrations: readonly ListedMigration[], name: string): string | undefined {
  const index = appMigrations.findIndex((migration) => migration.name === name);
  if (index < 0) return undefined;
  return index === 0 ? 'zero' : appMigrations[index - 1]!.name;
}

/** 0-based line of `class Migration(...)` at the top level, where the CodeLens goes. */
export function migrationClassLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((line) => /^class\s+Migration\s*[(:]/.test(line));
  return index >= 0 ? index : undefined;
}
