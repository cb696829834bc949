// Path helpers, and the app label and migration name a path implies by Django's conventions alone. Which paths
// are migrations, and their real labels (apps.py, MIGRATION_MODULES), is django/projectLayout.ts's to say.

/** Forward slashes only, so Windows and POSIX paths compare and glob the same way. */
export function normalizePath(path: string): string {
  return path.includes('\\') ? path.split('\\').join('/') : path;
}

/** App label by convention (the folder containing `migrations/`) and migration name (file name without `.py`). */
export function migrationIdentity(path: string): { app: string; name: string } {
  const segments = normalizePath(path).split('/');
  const fileName = segments[segments.length - 1] ?? '';
  const name = fileName.endsWith('.py') ? fileName.slice(0, -3) : fileName;
  const migrationsIndex = segments.lastIndexOf('migrations', segments.length - 2);
  const app = migrationsIndex > 0 ? segments[migrationsIndex - 1] ?? '' : '';
  return { app, name };
}
