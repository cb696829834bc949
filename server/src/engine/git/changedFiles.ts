// `check --diff REF`: which files were added or changed since the merge base of REF and HEAD (committed, staged,
// unstaged and untracked alike). git is run with argument arrays, never through a shell, so a ref or path cannot
// inject anything; a ref that looks like an option is refused before git sees it.
import { execFileSync } from 'node:child_process';
import { realpathSync, statSync } from '../projectFs';
import { dirname, resolve } from 'node:path';
import type { Report } from '../format/report';

/** A git problem that the user must fix (exit code 2 in the CLI). */
export class GitDiffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitDiffError';
  }
}

const SHALLOW_HINT =
  'this is a shallow clone and the history needed is missing: fetch the full history (in GitHub Actions `actions/checkout` with `fetch-depth: 0`; in GitLab CI `GIT_DEPTH: 0`) or fetch the base branch deep enough';

interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

function git(args: string[], cwd: string): GitResult {
  try {
    const stdout = execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      // Never prompt, never take locks that would disturb a concurrent git in the same repository.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
    });
    return { ok: true, stdout, stderr: '' };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string; status?: number | null };
    if (failure.code === 'ENOENT') throw new GitDiffError('--diff needs git, and git was not found on PATH');
    return { ok: false, stdout: String(failure.stdout ?? ''), stderr: String(failure.stderr ?? '').trim() };
  }
}

function folderOf(path: string): string {
  try {
    return statSync(path).isDirectory() ? path : dirname(path);
  } catch {
    return dirname(path);
  }
}

function nulSeparated(text: string): string[] {
  return text.split('\0').filter((item) => item !== '');
}

export interface ChangedFiles {
  /** The merge base the changes are measured from. */
  base: string;
  /** Absolute real paths of files added, modified, renamed or untracked since the base (deleted files are not). */
  files: Set<string>;
}

/**
 * Files changed since the merge base of `ref` and HEAD, in the repository that holds `start` (a file or folder).
 * Throws GitDiffError with a message saying what to do: not a repository, unknown ref, shallow clone.
 */
export function changedFilesSince(ref: string, start: string): ChangedFiles {
  if (ref === '' || ref.startsWith('-')) throw new GitDiffError(`--diff expects a git revision such as origin/main, not "${ref}"`);
  const folder = folderOf(resolve(start));
  const top = git(['rev-parse', '--show-toplevel'], folder);
  if (!top.ok) throw new GitDiffError(`--diff needs a git repository, and ${folder} is not inside one`);
  const root = top.stdout.trim();
  const shallow = git(['rev-parse', '--is-shallow-repository'], root).stdout.trim() === 'true';

  // Before the first commit (pre-commit on a new repository) everything is new: compare with the empty tree.
  const unborn = !git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], root).ok;
  const base = unborn && ref === 'HEAD' ? EMPTY_TREE : mergeBaseOf(ref, root, shallow);

  // Against the working tree, so uncommitted edits count as changes too (pre-commit runs on staged files).
  const diff = git(['-c', 'core.quotePath=false', 'diff', '--name-only', '-z', '--diff-filter=d', base, '--'], root);
  if (!diff.ok) throw new GitDiffError(`--diff ${ref}: git diff failed: ${diff.stderr}`);
  const untracked = git(['ls-files', '--others', '--exclude-standard', '-z', '--full-name'], root);
  if (!untracked.ok) throw new GitDiffError(`--diff ${ref}: git ls-files failed: ${untracked.stderr}`);

  const files = new Set<string>();
  for (const path of [...nulSeparated(diff.stdout), ...nulSeparated(untracked.stdout)]) files.add(realPath(resolve(root, path)));
  return { base, files };
}

/** git's well-known id of the empty tree. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

function mergeBaseOf(ref: string, root: string, shallow: boolean): string {
  const resolved = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], root);
  if (!resolved.ok) {
    throw new GitDiffError(shallow ? `--diff ${ref}: unknown revision; ${SHALLOW_HINT}` : `--diff ${ref}: unknown revision (a branch, tag or commit such as origin/main)`);
  }
  const mergeBase = git(['merge-base', resolved.stdout.trim(), 'HEAD'], root);
  if (!mergeBase.ok) {
    if (shallow) throw new GitDiffError(`--diff ${ref}: no merge base with HEAD; ${SHALLOW_HINT}`);
    throw new GitDiffError(`--diff ${ref}: ${ref} and HEAD have no common ancestor${mergeBase.stderr ? ` (${mergeBase.stderr})` : ''}`);
  }
  return mergeBase.stdout.trim();
}

/** The real path when the file exists (findings and git may spell a symlinked folder differently). */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The report narrowed to changed files: findings and unreadable-file errors elsewhere are dropped (they were
 * still analysed, so rules that depend on history stay right). Errors not about one migration file are kept.
 */
export function restrictToChanged(report: Report, changed: ChangedFiles, cwd: string, isMigrationPath: (path: string) => boolean): Report {
  const isChanged = (file: string): boolean => changed.files.has(realPath(resolve(cwd, file)));
  return {
    ...report,
    findings: report.findings.filter((finding) => isChanged(finding.file)),
    errors: report.errors.filter((error) => !isMigrationPath(error.file) || isChanged(error.file)),
  };
}
