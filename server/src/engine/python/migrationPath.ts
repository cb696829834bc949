// Which paths are Django migrations, and the app label and migration name a path implies.
// Django finds an app's migrations in `<app>/migrations/<name>.py`; the engine follows the same convention.

/** Forward slashes only, so Windows and POSIX paths compare and glob the same way. */
export function normalizePath(path: string): string {
  return path.includes('\\') ? path.split('\\').join('/') : path;
}

/** True for `<...>/migrations/<name>.py`, excluding `__init__.py`. */
export function isMigrationPath(path: string): boolean {
  const segments = normalizePath(path).split('/');
  const fileName = segments[segments.length - 1] ?? '';
  if (!fileName.endsWith('.py') || fileName === '__init__.py') return false;
  return segments.slice(0, -1).includes('migrations');
}

/** App label (the folder containing `migrations/`) and migration name (file name without `.py`). */
export function migrationIdentity(path: string): { app: string; name: string } {
  const segments = normalizePath(path).split('/');
  const fileName = segments[segments.length - 1] ?? '';
  const name = fileName.endsWith('.py') ? fileName.slice(0, -3) : fileName;
  const migrationsIndex = segments.lastIndexOf('migrations', segments.length - 2);
  const app = migrationsIndex > 0 ? segments[migrationsIndex - 1] ?? '' : '';
  return { app, name };
}
