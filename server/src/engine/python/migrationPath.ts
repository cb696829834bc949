// Path helpers, and the app label and migration name a path implies by Django's conventions alone. Which paths
// are migrations, and their real labels (apps.py, MIGRATION_MODULES), is django/projectLayout.ts's to say.

/** Forward slashes only, so Windows and POSIX paths compare and glob the same way. */
export function normalizePath(path: string): string {
  return path.includes('\\') ? path.split('\\').join('/') : path;
}

/**
 * App label by convention and migration name (file name without `.py`), for a model built without a project (the
 * Project passes ProjectLayout's identity). The same convention as ProjectLayout.CONVENTIONAL: the file's own folder
 * is `migrations/` and the app is the folder containing it; elsewhere the app is unknown ('').
 */
export function migrationIdentity(path: string): { app: string; name: string } {
  const segments = normalizePath(path).split('/');
  const fileName = segments[segments.length - 1] ?? '';
  const name = fileName.endsWith('.py') ? fileName.slice(0, -3) : fileName;
  const inMigrationsFolder = segments.length >= 3 && segments[segments.length - 2] === 'migrations';
  const app = inMigrationsFolder ? segments[segments.length - 3] ?? '' : '';
  return { app, name };
}
