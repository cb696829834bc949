// Turns a failed manage.py run into one sentence a person can act on. Django's tracebacks bury the cause in the
// last lines; the common causes (no Django, broken settings, database down, unknown app) each get their own words.
import type { RunResult } from './run';

export type FailureKind =
  | 'not-started' // the executable could not be started
  | 'django-missing'
  | 'settings-broken'
  | 'database-unreachable'
  | 'database-driver-missing'
  | 'command-error' // Django's CommandError: a usage problem Django explained itself
  | 'needs-input' // makemigrations --noinput stopped at a question
  | 'cancelled'
  | 'timed-out'
  | 'failed';

export interface Failure {
  kind: FailureKind;
  /** One or two sentences for the notification. */
  message: string;
}

export interface FailureContext {
  /** What was being done, e.g. "makemigrations --dry-run". */
  action: string;
  /** The executable that was started (the prefix's first word or the interpreter). */
  executable: string;
}

/** Undefined when the run succeeded (exit code 0). */
export function diagnoseFailure(result: RunResult, context: FailureContext): Failure | undefined {
  if (result.cancelled) return { kind: 'cancelled', message: `${context.action} was cancelled.` };
  if (result.timedOut) return { kind: 'timed-out', message: `${context.action} did not finish in time and was stopped.` };
  if (result.startError) {
    const reason =
      result.startError.code === 'ENOENT'
        ? `"${context.executable}" was not found`
        : result.startError.code === 'EACCES'
          ? `"${context.executable}" is not executable`
          : `"${context.executable}" could not be started (${result.startError.message})`;
    return {
      kind: 'not-started',
      message: `${reason}. Select a Python interpreter with Django installed, or set migrationGuard.pythonPath (and migrationGuard.commandPrefix when Django runs in a container or under poetry/pipenv).`,
    };
  }
  if (result.exitCode === 0) return undefined;
  return diagnoseOutput(result.stderr + '\n' + result.stdout, result.exitCode, context);
}

function diagnoseOutput(output: string, exitCode: number | null, context: FailureContext): Failure {
  const text = output.replace(/\r\n?/g, '\n');
  const lastError = lastErrorLine(text);

  if (/Couldn't import Django|No module named ['"]?django['"]?(\s|$)/m.test(text)) {
    return {
      kind: 'django-missing',
      message: `Django is not installed for the interpreter that ran manage.py (${context.executable}). Select the project's virtual environment, or set migrationGuard.pythonPath.`,
    };
  }
  const missingDriver = /Error loading (psycopg2?|MySQLdb|mysqlclient) module: (.*)/.exec(text);
  if (missingDriver) {
    return { kind: 'database-driver-missing', message: `The database driver is missing: ${missingDriver[2]!.trim()}. Install it in the project's environment.` };
  }
  const refused =
    /(could not connect to server|connection to server at .*? failed|Can't connect to (?:local )?MySQL server|Connection refused|unable to open database file|could not translate host name|timeout expired)[^\n]*/i.exec(text);
  if (refused && /OperationalError|psycopg|MySQLdb|sqlite3/i.test(text)) {
    return {
      kind: 'database-unreachable',
      message: `The database refused the connection: ${condense(refused[0])}. Start the database or fix DATABASES in the settings (migrationGuard.env can set DJANGO_SETTINGS_MODULE).`,
    };
  }
  const authFailed = /(password authentication failed for user [^\n]*|role "[^"]+" does not exist|database "[^"]+" does not exist|Access denied for user [^\n]*)/.exec(text);
  if (authFailed) {
    return { kind: 'database-unreachable', message: `The database rejected the connection: ${condense(authFailed[1]!)}. Check DATABASES in the settings.` };
  }
  // Every error raised while Django imports the settings module passes through django/conf/__init__.py.
  if (/ImproperlyConfigured/.test(text) || /django[\\/]conf[\\/]__init__\.py/.test(text)) {
    return {
      kind: 'settings-broken',
      message: `The Django settings could not be loaded: ${condense(lastError ?? 'see the logs')}. Check DJANGO_SETTINGS_MODULE (migrationGuard.env) and the settings file.`,
    };
  }
  if (/^CommandError: /m.test(text)) {
    const commandError = /^CommandError: ((?:.|\n(?!\n))*)/m.exec(text);
    return { kind: 'command-error', message: `Django refused ${context.action}: ${condense(commandError?.[1] ?? lastError ?? '')}` };
  }
  if (/^No installed app with label/m.test(text) || /^App '[^']+' could not be found/m.test(text)) {
    return { kind: 'command-error', message: `Django refused ${context.action}: ${condense(lastError ?? '')}` };
  }
  if (exitCode === 3 && /makemigrations/.test(context.action)) {
    return {
      kind: 'needs-input',
      message:
        'Django needs an answer to a question to make these migrations (typically a default for a new NOT NULL field, or whether a field was renamed). Give the field a default or null=True, or run makemigrations in a terminal.',
    };
  }
  return {
    kind: 'failed',
    message: `${context.action} failed${exitCode === null ? '' : ` with exit code ${exitCode}`}${lastError ? `: ${condense(lastError)}` : '.'}`,
  };
}

/** The last line that looks like an error: `SomeError: message`, else the last non-empty line. */
function lastErrorLine(text: string): string | undefined {
  const all = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  for (let index = all.length - 1; index >= 0; index--) {
    if (/^[\w.]*(Error|Exception|Warning)\b.*:/.test(all[index]!)) return all[index];
  }
  return all[all.length - 1];
}

function condense(text: string): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length > 300 ? single.slice(0, 297) + '...' : single;
}
