// Which Python runs manage.py. Order: the interpreter selected in the Python extension, then
// migrationGuard.pythonPath, then `python3` and `python` on PATH. A choice the user made (the first two) is kept
// even when Django is missing from it, with a warning: silently switching to another environment would run the
// project against the wrong packages. Among the PATH fallbacks one that imports Django is preferred.
import { interpreterProbeArgs } from './commandLine';
import { parseInterpreterProbe, type InterpreterInfo } from './djangoOutput';
import { runCommandLine } from './run';

export type InterpreterSource = 'python-extension' | 'setting' | 'path';

export interface InterpreterCandidate {
  command: string;
  source: InterpreterSource;
}

export type ProbeOutcome = { ok: true; info: InterpreterInfo } | { ok: false; error: string };
export type InterpreterProbe = (command: string) => Promise<ProbeOutcome>;

export interface FoundInterpreter {
  command: string;
  source: InterpreterSource;
  info: InterpreterInfo;
  /** Set when the interpreter runs but `import django` fails in it. */
  warning?: string;
}

export type Discovery = { ok: true; interpreter: FoundInterpreter } | { ok: false; message: string };

const SOURCE_NAMES: Record<InterpreterSource, string> = {
  'python-extension': 'the interpreter selected in the Python extension',
  setting: 'migrationGuard.pythonPath',
  path: 'PATH',
};

export function interpreterCandidates(input: { pythonExtension?: string; setting?: string }): InterpreterCandidate[] {
  const candidates: InterpreterCandidate[] = [];
  if (input.pythonExtension) candidates.push({ command: input.pythonExtension, source: 'python-extension' });
  if (input.setting && input.setting.trim() !== '') candidates.push({ command: input.setting.trim(), source: 'setting' });
  candidates.push({ command: 'python3', source: 'path' }, { command: 'python', source: 'path' });
  // The same interpreter named twice is probed once.
  return candidates.filter((candidate, index) => candidates.findIndex((other) => other.command === candidate.command) === index);
}

export async function discoverInterpreter(candidates: readonly InterpreterCandidate[], probe: InterpreterProbe): Promise<Discovery> {
  const failures: string[] = [];
  let pathFallback: FoundInterpreter | undefined;
  for (const candidate of candidates) {
    const outcome = await probe(candidate.command);
    if (!outcome.ok) {
      failures.push(`${candidate.command} (${SOURCE_NAMES[candidate.source]}): ${outcome.error}`);
      continue;
    }
    const found: FoundInterpreter = { command: candidate.command, source: candidate.source, info: outcome.info };
    if (outcome.info.django === null) {
      found.warning = `Django is not installed for ${candidate.command} (Python ${outcome.info.version}, from ${SOURCE_NAMES[candidate.source]}). Select the project's virtual environment, or set migrationGuard.pythonPath.`;
    }
    if (candidate.source !== 'path' || outcome.info.django !== null) return { ok: true, interpreter: found };
    pathFallback ??= found;
  }
  if (pathFallback) return { ok: true, interpreter: pathFallback };
  return {
    ok: false,
    message: `No working Python interpreter was found. Tried: ${failures.join('; ')}. Install Python, select an interpreter in the Python extension, or set migrationGuard.pythonPath.`,
  };
}

/** Runs the interpreter with a tiny script; never throws. */
export function probeInterpreterProcess(options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): InterpreterProbe {
  return async (command) => {
    const result = await runCommandLine(
      { command, args: interpreterProbeArgs(), cwd: options.cwd, env: options.env ?? {} },
      { timeoutMs: options.timeoutMs ?? 20_000 },
    );
    if (result.startError) return { ok: false, error: result.startError.code === 'ENOENT' ? 'not found' : result.startError.message };
    if (result.timedOut) return { ok: false, error: 'did not answer in time' };
    const info = result.exitCode === 0 ? parseInterpreterProbe(result.stdout) : undefined;
    if (!info) return { ok: false, error: `does not run Python code (exit code ${result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').pop()}` : ''})` };
    return { ok: true, info };
  };
}
