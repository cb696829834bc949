// `migration-guard explain path/to/0042_x.py`: where one migration stands in its project, as the rules see it: the
// app it belongs to and how that was decided, its deploy phase, whether a squash runs on existing databases, and
// whether anything depends on it yet. Read from the whole project (the history decides), never by running Django.
import { resolve } from 'node:path';
import { Project } from './analyze';
import { readLayout, readSources } from './checkProject';
import { detectedDjangoLayer } from './config/detectedDjangoVersion';
import { findConfig, resolveConfig } from './config/pyproject';
import { projectRootOf } from './projectRoot';
import { discoverFiles, displayPath, migrationFilesOf } from './files';

export interface MigrationDescription {
  file: string;
  /** `app \`shop\` (label from its apps.py)`; undefined when the layout does not make the file a migration. */
  app?: string;
  migration?: string;
  phase?: string;
  squash?: string;
  dependents?: string;
}

export function describeMigration(path: string, cwd: string): MigrationDescription {
  const file = resolve(cwd, path);
  const root = projectRootOf(file);
  const loaded = (() => {
    try {
      return findConfig(root);
    } catch {
      return undefined;
    }
  })();
  const config = resolveConfig(loaded?.root ?? root, detectedDjangoLayer(root), loaded?.layer ?? {});
  const discovered = discoverFiles([root], cwd);
  const { layout, settingsFiles } = readLayout(discovered, config, cwd);
  const migrationPath = displayPath(file, cwd);
  const description: MigrationDescription = { file: migrationPath };
  const identity = layout.identify(migrationPath);
  if (!identity) return description;
  const project = new Project();
  project.setLayout(layout);
  for (const source of readSources(migrationFilesOf(discovered, layout), cwd)) project.setFile(source.path, source.text);
  for (const source of readSources([file], cwd)) project.setFile(source.path, source.text);
  project.setSettingsFiles(settingsFiles);
  const standing = project.standing(migrationPath, config);
  description.app = layout.describeApp(migrationPath);
  description.migration = `${identity.app}.${identity.name}`;
  if (standing) {
    description.phase =
      standing.phase.phase === 'unspecified' ? standing.phase.reason : `runs ${standing.phase.phase === 'after-deploy' ? 'after' : 'before'} the deploy: ${standing.phase.reason}`;
    description.dependents = standing.hasDependents
      ? 'other migrations depend on it: it is most likely applied somewhere (hygiene rules stay silent)'
      : 'nothing depends on it yet (a leaf)';
  }
  const squash = project.squashNote(migrationPath);
  if (squash) description.squash = squash;
  return description;
}
