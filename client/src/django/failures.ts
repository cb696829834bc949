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
  /** What the notification offers to fix it (the client maps each to an editor command). */
  actions?: FailureAction[];
}

export type FailureAction = 'select-interpreter';

const SELECT_INTERPRETER: FailureAction = 'select-interpreter';

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
      actions: [SELECT_INTERPRETER],
    };
  }
  if (result.exitCode === 0) return undefined;
  return diagnoseOutput(result.stderr + '\n' + result.stdout, result.exitCode, context);
}

function diagnoseOutput(output: string, exitCode: number | null, context: FailureContext): Failure {
  const text = output.replace(/\r\n?/g, '\n');
  const exceptions = pythonExceptions(text);
  const last = exceptions[exceptions.length - 1];
  const lastError = last ? describeException(last) : lastLine(text);
  const find = (test: (exception: PythonException) => boolean): PythonException | undefined => [...exceptions].reverse().find(test);

  if (find((exception) => /(^|\.)(ModuleNotFoundError|ImportError)$/.test(exception.type) && (/^Couldn't import Django\b/.test(exception.message) || /^No module named '?django'?$/.test(exception.message)))) {
    return {
      kind: 'django-missing',
      message: `Django is not installed for the interpreter that ran manage.py (${context.executable}). Select the project's virtual environment, or set migrationGuard.pythonPath.`,
      actions: [SELECT_INTERPRETER],
    };
  }
  // Django's backends raise ImproperlyConfigured("Error loading <module> module...") when the driver import fails.
  const driverError = find((exception) => isType(exception, 'ImproperlyConfigured') && /^Error loading [\w.]+(?: or [\w.]+)? module\b/.test(exception.message));
  if (driverError) {
    const module = /^Error loading ([\w.]+)/.exec(driverError.message)![1]!;
    const packageName = DRIVER_PACKAGES[module] ?? module;
    return {
      kind: 'database-driver-missing',
      message: `The database driver ${module} is not installed for ${context.executable} (Django: ${condense(driverError.message)}). Install ${packageName} in the project's environment, or select the interpreter that has it.`,
      actions: [SELECT_INTERPRETER],
    };
  }
  const operational = last && isType(last, 'OperationalError') ? last : undefined;
  const refused = operational && /could not connect to server|connection to server at .*? failed|Can't connect to (?:local )?MySQL server|Connection refused|unable to open database file|could not translate host name|timeout expired/i.test(operational.message);
  if (operational && refused) {
    return {
      kind: 'database-unreachable',
      message: `The database refused the connection: ${sentence(condense(operational.message))} Start the database or fix DATABASES in the settings (migrationGuard.env can set DJANGO_SETTINGS_MODULE).`,
    };
  }
  if (operational && /password authentication failed for user|role "[^"]+" does not exist|database "[^"]+" does not exist|Access denied for user/.test(operational.message)) {
    return { kind: 'database-unreachable', message: `The database rejected the connection: ${sentence(condense(operational.message))} Check DATABASES in the settings.` };
  }
  // Every error raised while Django imports the settings module passes through django/conf/__init__.py.
  const settingsError = last && (isType(last, 'ImproperlyConfigured') || last.frames.some((frame) => /django[\\/]conf[\\/]__init__\.py/.test(frame))) ? last : undefined;
  if (settingsError) {
    return {
      kind: 'settings-broken',
      message: `The Django settings could not be loaded: ${sentence(condense(describeException(settingsError)))} Check DJANGO_SETTINGS_MODULE (migrationGuard.env) and the settings file.`,
    };
  }
  if (/^CommandError: /m.test(text)) {
    const commandError = /^CommandError: ((?:.|\n(?!\n))*)/m.exec(text);
    return { kind: 'command-error', message: `Django refused ${context.action}: ${condense(commandError?.[1] ?? lastError ?? '')}` };
  }
  if (/^No installed app with label/m.test(text) || /^App '[^']+' could not be found/m.test(text)) {
    return { kind: 'command-error', message: `Django refused ${context.action}: ${condense(lastLine(text) ?? '')}` };
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

/** The pip package that provides a driver module Django failed to import. */
const DRIVER_PACKAGES: Record<string, string> = { MySQLdb: 'mysqlclient', psycopg2: 'psycopg2 (or psycopg2-binary)', psycopg: 'psycopg', cx_Oracle: 'cx_Oracle', oracledb: 'oracledb' };

/** One exception Python printed: its type, its message (all its lines), and the traceback frames above it. */
export interface PythonException {
  /** As printed, e.g. `django.core.exceptions.ImproperlyConfigured`. */
  type: string;
  message: string;
  /** The `File "...", line N, in f` lines and source lines of its traceback (empty when printed without one). */
  frames: string[];
}

const TRACEBACK_START = 'Traceback (most recent call last):';
const CHAIN_LINES = new Set(['The above exception was the direct cause of the following exception:', 'During handling of the above exception, another exception occurred:']);
/** An exception line: a dotted Python name, then `: message` or nothing. */
const EXCEPTION_LINE = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?::(?: (.*))?)?$/;
/** Outside a traceback only names that read as exceptions count (`ValueError: boom`, not `Operations to perform:`). */
const EXCEPTION_NAME = /(Error|Exception|Warning|Exit|Interrupt|ImproperlyConfigured|DoesNotExist)$/;

/**
 * The exceptions in Python's output, in the order printed (so the last is the one that ended the program and the
 * ones before it are its causes). Traceback frames and the source lines they quote are indented and never taken for
 * an exception: a source line like `raise ImproperlyConfigured("Error loading ... %s" % e)` is not the error.
 */
export function pythonExceptions(output: string): PythonException[] {
  const lines = output.replace(/\r\n?/g, '\n').split('\n');
  const exceptions: PythonException[] = [];
  let frames: string[] | undefined;
  let current: PythonException | undefined;
  for (const line of lines) {
    if (line === TRACEBACK_START) {
      frames = [];
      current = undefined;
      continue;
    }
    if (frames) {
      // Inside a traceback: indented lines are frames and quoted source; the first line at column 0 is the exception.
      if (line === '' || /^\s/.test(line)) {
        if (line !== '') frames.push(line);
        continue;
      }
      const match = EXCEPTION_LINE.exec(line.trimEnd());
      current = match ? { type: match[1]!, message: match[2] ?? '', frames } : { type: '', message: line, frames };
      exceptions.push(current);
      frames = undefined;
      continue;
    }
    if (current) {
      // The message goes on until a blank line or the next traceback: multi-line messages are common in Django.
      if (line.trim() === '' || CHAIN_LINES.has(line.trim())) {
        current = undefined;
        continue;
      }
      current.message = current.message === '' ? line.trim() : `${current.message}\n${line.trim()}`;
      continue;
    }
    const match = /^\S/.test(line) ? EXCEPTION_LINE.exec(line.trimEnd()) : null;
    if (match && match[2] !== undefined && EXCEPTION_NAME.test(match[1]!)) {
      current = { type: match[1]!, message: match[2], frames: [] };
      exceptions.push(current);
    }
  }
  return exceptions;
}

function isType(exception: PythonException, name: string): boolean {
  return exception.type === name || exception.type.endsWith(`.${name}`);
}

/** `ModuleNotFoundError: No module named 'x'`, with the module path of the type dropped. */
function describeException(exception: PythonException): string {
  const type = exception.type.split('.').pop() ?? exception.type;
  if (type === '') return exception.message;
  return exception.message === '' ? type : `${type}: ${exception.message}`;
}

function lastLine(text: string): string | undefined {
  const all = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return all[all.length - 1];
}

/** Ends the text as a sentence, so the advice that follows reads as the next one. */
function sentence(text: string): string {
  return /[.?!]$/.test(text) ? text : `${text}.`;
}

function condense(text: string): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length > 300 ? single.slice(0, 297) + '...' : single;
}
