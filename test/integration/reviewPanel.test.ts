// The review panel in a real workbench: the command opens one webview panel, running it again reveals the same
// panel, and after a window reload the panel comes back through the extension's serializer. The reload ends this
// extension host: the first window asks for it (index.ts reloads once mocha has finished), and the reloaded window
// runs `review panel after reload` with the marker left in the state folder.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RELOAD_MARKER, STATE_ENV } from './results';
import { closeAllEditors, EXTENSION_ID, extensionApi, phase, waitFor } from './support';

const REVIEW_VIEW_TYPE = 'migrationGuard.review';
const PANEL_TITLE = 'Migration Flashcards';

function reviewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    // VS Code prefixes the extension's viewType (`mainThreadWebview-migrationGuard.review`).
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(REVIEW_VIEW_TYPE));
}

if (phase() === 'first') {
  describe('review panel', function () {
    before(async function () {
      await extensionApi();
      await closeAllEditors();
    });

    it('opens as a webview panel from the command', async function () {
      await vscode.commands.executeCommand('migrationGuard.reviewFlashcards');
      const tab = await waitFor('the review panel tab', () => reviewTabs()[0]);
      assert.equal(tab.label, PANEL_TITLE);
      assert.equal(tab.isActive, true);
    });

    it('reveals the same panel when the command runs again', async function () {
      await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
      await waitFor('the untitled editor to take focus', () => reviewTabs()[0]?.isActive === false || undefined);
      await vscode.commands.executeCommand('migrationGuard.reviewFlashcards');
      await waitFor('the review panel to be active again', () => reviewTabs()[0]?.isActive || undefined);
      assert.equal(reviewTabs().length, 1);
    });

    it('asks for a window reload with the panel open (checked after the reload)', async function () {
      const stateDir = process.env[STATE_ENV];
      assert.ok(stateDir, `${STATE_ENV} must name a folder that survives the reload`);
      // Only the panel stays open: the reloaded window's check must not depend on other editors.
      const others = vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => !reviewTabs().includes(tab));
      if (others.length > 0) await vscode.window.tabGroups.close(others);
      assert.equal(reviewTabs().length, 1);
      writeFileSync(join(stateDir, RELOAD_MARKER), new Date().toISOString());
    });
  });
} else {
  describe('review panel after reload', function () {
    it('is restored by the serializer, and the command reveals the restored panel', async function () {
      const tab = await waitFor('the review panel tab to come back after the reload', () => reviewTabs()[0], 30_000);
      assert.equal(tab.label, PANEL_TITLE);
      await waitFor('the extension to be activated by the restored panel', () => vscode.extensions.getExtension(EXTENSION_ID)?.isActive || undefined, 30_000);
      // Had the extension not taken the restored panel over, the command would open a second panel next to the
      // restored one, and both would stay. (A restore that lands after the command disposes the second one.)
      await vscode.commands.executeCommand('migrationGuard.reviewFlashcards');
      await waitFor('exactly one review panel', () => reviewTabs().length === 1 || undefined, 15_000);
      assert.equal(reviewTabs()[0]?.isActive, true);
    });
  });
}
