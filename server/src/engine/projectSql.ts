// `migration-guard sql PATH...`: the SQL Django would run for migrations, generated from the project's history
// without Django or a database. The whole project the paths belong to is read (so every migration sees the state
// and constraint names its history left); only the migrations under the given paths are reported.
import { existsSync } from './projectFs';
import { relative, resolve, sep } from 'node:path';
import { Project } from './analyze';
import { readLayout, readSources } from './checkProject';
import { detectedDjangoLayer } from './config/detectedDjangoVersion';
import { findConfig, loadConfigFile, resolveConfig } from './config/pyproject';
import type { ConfigLayer, Database, ResolvedConfig } from './config/types';
import type { MigrationSql } from './django/sql/migrationSql';
import { projectRootOf } from './projectRoot';
import { discoverFiles, displayPath, migrationFilesOf, PathNotFoundError } from './files';

export interface MigrationSqlReport {
  path: string;
  /** `app.0002_name`. */
  migration: string;
  sql: MigrationSql;
}

export interface SqlReport {
  database: Database;
  djangoVersion: string;
  /** The file the version was detected from (undefined when configured or the default). */
  djangoVersionFrom?: string;
  postgresVersion: number;
  migrations: MigrationSqlReport[];
}

function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

export function projectSql(paths: readonly string[], cwd: string, flags: ConfigLayer, configFile?: string): SqlReport {
  const targets = (paths.length > 0 ? paths : ['.']).map((path) => resolve(cwd, path));
  for (const target of targets) if (!existsSync(target)) throw new PathNotFoundError(displayPath(target, cwd));
  const root = projectRootOf(targets[0] as string);
  const loaded = configFile ? loadConfigFile(resolve(cwd, configFile)) : findConfig(root);
  const config: ResolvedConfig = resolveConfig(loaded?.root ?? root, detectedDjangoLayer(root), loaded?.layer ?? {}, flags);
  const discovered = discoverFiles([root], cwd);
  const { layout, settingsFiles } = readLayout(discovered, config, cwd);
  const project = new Project();
  project.setLayout(layout);
  project.setSettingsFiles(settingsFiles);
  const migrationFiles = migrationFilesOf(discovered, layout);
  for (const source of readSources(migrationFiles, cwd)) project.setFile(source.path, source.text);
  const migrations: MigrationSqlReport[] = [];
  for (const file of migrationFiles) {
    if (!targets.some((target) => within(file, target))) continue;
    const path = displayPath(file, cwd);
    const sql = project.migrationSql(path, config);
    const identity = layout.identify(path);
    if (sql && identity) migrations.push({ path, migration: `${identity.app}.${identity.name}`, sql });
  }
  const report: SqlReport = { database: project.effectiveDatabase(config), djangoVersion: config.djangoVersion, postgresVersion: config.postgresVersion, migrations };
  if (config.djangoVersionFrom) report.djangoVersionFrom = config.djangoVersionFrom;
  return report;
}
