// App labels and migration names end up as manage.py arguments. Migration names come from file names, so a file
// named `--fake.py` would turn "Migrate to Here" into `migrate shop --fake`. Only names Django itself would accept
// are passed: an app label is a Python identifier (AppConfig checks `label.isidentifier()`), a migration name is
// what `makemigrations --name` accepts plus the number prefix (letters, digits, underscores). No `vscode` import.

const APP_LABEL = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const MIGRATION_NAME = /^[\p{L}\p{N}_]+$/u;

export function isDjangoAppLabel(label: string): boolean {
  return APP_LABEL.test(label);
}

export function isDjangoMigrationName(name: string): boolean {
  return MIGRATION_NAME.test(name);
}

/** Why an app/migration pair cannot be passed to manage.py, or undefined when it can. */
export function commandLineNameProblem(app: string, migration?: string): string | undefined {
  if (!isDjangoAppLabel(app)) return `${JSON.stringify(app)} is not an app label Django accepts (letters, digits and underscores, not starting with a digit)`;
  if (migration !== undefined && !isDjangoMigrationName(migration)) {
    return `${JSON.stringify(migration)} is not a migration name Django accepts (letters, digits and underscores only); rename the file`;
  }
  return undefined;
}
