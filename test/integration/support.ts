// Helpers for the tests that run inside the extension host: the extension's test API, the workspace (a temporary
// copy of test/fixtures/e2e-project made by the runner), polling with deadlines, and a scripted Prompter that
// answers the extension's questions the way a user would.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MigrationGuardApi } from '../../client/src/extension';
import type { ConfirmRequest, InputRequest, PickItem, Prompter, TypedConfirmRequest } from '../../client/src/prompter';
import { PYTHON_ENV, RELOAD_MARKER, STATE_ENV } from './results';
import { DIAGNOSTIC_SOURCE } from '../../server/src/lsp/clientContract';

export const EXTENSION_ID = 'migration-guard.django-migration-guard';

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration suite needs the fixture project open as the workspace folder');
  return folder.uri.fsPath;
}

export function fixturePath(...segments: string[]): string {
  return join(workspaceRoot(), ...segments);
}

export const MIGRATIONS = {
  initial: 'shop/migrations/0001_initial.py',
  namesBackfill: 'shop/migrations/0002_name_products.py',
  nameIndex: 'shop/migrations/0003_product_name_idx.py',
} as const;

export async function extensionApi(): Promise<MigrationGuardApi> {
  const extension = vscode.extensions.getExtension<MigrationGuardApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded in this window`);
  const api = await extension.activate();
  assert.ok(api && typeof api.usePrompter === 'function', 'activate() must return the test API (usePrompter, serverState)');
  return api;
}

/** Polls `probe` until it returns a value other than undefined/false, or fails with `what` and the last value seen. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let attempt = 0; ; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50 * (attempt + 1), 250)));
  }
}

export async function openMigration(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(fixturePath(relativePath)));
  return vscode.window.showTextDocument(document, { preview: false });
}

export function ourDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
}

export function ruleOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (typeof code === 'object' && code !== null) return String(code.value);
  return code === undefined ? undefined : String(code);
}

/** Waits until the file's diagnostics include one of `rule` (and returns it). */
export function waitForRule(uri: vscode.Uri, rule: string, timeoutMs = 20_000): Promise<vscode.Diagnostic> {
  return waitFor(`a ${rule} diagnostic on ${vscode.workspace.asRelativePath(uri)}`, () => ourDiagnostics(uri).find((diagnostic) => ruleOf(diagnostic) === rule), timeoutMs);
}

/** Waits until the file has no diagnostic of `rule`. */
export function waitForNoRule(uri: vscode.Uri, rule: string, timeoutMs = 20_000): Promise<true> {
  return waitFor(`no ${rule} diagnostic on ${vscode.workspace.asRelativePath(uri)} (still: ${ourDiagnostics(uri).map(ruleOf).join(', ')})`, () => !ourDiagnostics(uri).some((diagnostic) => ruleOf(diagnostic) === rule) || undefined, timeoutMs);
}

/** Discards unsaved edits of the document, so a test leaves the fixture as it found it. */
export async function revert(document: vscode.TextDocument): Promise<void> {
  if (!document.isDirty) return;
  // Showing the document can lose a race with an editor another test step opens ("another editor opened in the
  // meantime"): try again a few times before giving up.
  for (let attempt = 1; ; attempt++) {
    try {
      await vscode.window.showTextDocument(document);
      break;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((done) => setTimeout(done, 200 * attempt));
    }
  }
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitFor(`${vscode.workspace.asRelativePath(document.uri)} to be reverted`, () => !document.isDirty);
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

// --- the scripted Prompter ----------------------------------------------------------------------------------------

export type Question =
  | { kind: 'confirm'; request: ConfirmRequest }
  | { kind: 'confirmByTyping'; request: TypedConfirmRequest }
  | { kind: 'pick'; items: PickItem[]; title: string }
  | { kind: 'input'; request: InputRequest };

export type Answer =
  | { confirm: boolean }
  | { confirmByTyping: boolean }
  | { pick: (items: readonly PickItem[]) => PickItem | undefined }
  | { input: string | undefined };

/**
 * Answers the questions in order with the scripted answers, like a user clicking through the dialogs. A question
 * of another kind than expected, or one more than scripted, fails the command (and the test) with a clear message.
 */
export class ScriptedPrompter implements Prompter {
  readonly asked: Question[] = [];
  private readonly answers: Answer[];

  constructor(answers: Answer[]) {
    this.answers = [...answers];
  }

  private next<K extends 'confirm' | 'confirmByTyping' | 'pick' | 'input'>(kind: K, describe: string): Extract<Answer, Record<K, unknown>> {
    const answer = this.answers.shift();
    if (!answer || !(kind in answer)) {
      throw new Error(`Unexpected ${kind} question "${describe}"; scripted next: ${answer ? Object.keys(answer)[0] : 'nothing'}`);
    }
    return answer as Extract<Answer, Record<K, unknown>>;
  }

  /** Fails when scripted answers were left unused (the command asked fewer questions than a user would see). */
  assertAllAnswered(): void {
    assert.equal(this.answers.length, 0, `${this.answers.length} scripted answer(s) were never asked for; questions asked: ${this.asked.map(describeQuestion).join(' | ')}`);
  }

  async confirm(request: ConfirmRequest): Promise<boolean> {
    this.asked.push({ kind: 'confirm', request });
    return this.next('confirm', request.message).confirm;
  }

  async confirmByTyping(request: TypedConfirmRequest): Promise<boolean> {
    this.asked.push({ kind: 'confirmByTyping', request });
    return this.next('confirmByTyping', request.message).confirmByTyping;
  }

  async pick<T extends PickItem>(items: readonly T[], options: { title: string; placeholder?: string }): Promise<T | undefined> {
    this.asked.push({ kind: 'pick', items: [...items], title: options.title });
    const chosen = this.next('pick', options.title).pick(items);
    if (chosen !== undefined && !items.includes(chosen as T)) throw new Error(`The scripted pick returned an item that was not offered for "${options.title}"`);
    return chosen as T | undefined;
  }

  async input(request: InputRequest): Promise<string | undefined> {
    this.asked.push({ kind: 'input', request });
    const value = this.next('input', request.title).input;
    if (value !== undefined) {
      const problem = request.validate?.(value);
      if (problem?.blocking) throw new Error(`The scripted input "${value}" would be refused: ${problem.message}`);
    }
    return value;
  }
}

export function describeQuestion(question: Question): string {
  switch (question.kind) {
    case 'confirm':
    case 'confirmByTyping':
      return `${question.kind}: ${question.request.message}`;
    case 'pick':
      return `pick: ${question.title} [${question.items.map((item) => item.label).join(', ')}]`;
    case 'input':
      return `input: ${question.request.title}`;
  }
}

/** Picks the offered item with this label (fails the command when there is none). */
export function byLabel(label: string): (items: readonly PickItem[]) => PickItem {
  return (items) => {
    const item = items.find((candidate) => candidate.label === label);
    if (!item) throw new Error(`No item "${label}" among: ${items.map((candidate) => candidate.label).join(', ')}`);
    return item;
  };
}

/** Installs the prompter for the duration of `body`. */
export async function withPrompter<T>(prompter: ScriptedPrompter, body: () => Promise<T>): Promise<T> {
  const api = await extensionApi();
  const installed = api.usePrompter(prompter);
  try {
    return await body();
  } finally {
    installed.dispose();
  }
}

// --- Django, independently of the extension -----------------------------------------------------------------------

export function pythonWithDjango(): string {
  return process.env[PYTHON_ENV] || '/usr/bin/python3';
}

/** `manage.py showmigrations --list` run by the test itself, as `app.name -> applied`. */
export async function appliedMigrations(): Promise<Map<string, boolean>> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(pythonWithDjango(), ['manage.py', 'showmigrations', '--list', 'shop'], { cwd: workspaceRoot(), timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`showmigrations failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
  const applied = new Map<string, boolean>();
  let app = '';
  for (const line of output.split('\n')) {
    const appLine = /^(\w+)$/.exec(line.trim());
    if (appLine && !line.startsWith(' ')) app = appLine[1]!;
    const migration = /^\s*\[([ X-])\]\s+(\S+)/.exec(line);
    if (migration) applied.set(`${app}.${migration[2]}`, migration[1] === 'X');
  }
  return applied;
}

// --- the window reload of the review panel test ----------------------------------------------------------------

/** `reloaded` in the window that the review panel test reloaded (it leaves a marker in the state folder). */
export function phase(): 'first' | 'reloaded' {
  const dir = process.env[STATE_ENV];
  return dir && existsSync(join(dir, RELOAD_MARKER)) ? 'reloaded' : 'first';
}
