// Tells the language server which migrations are applied (what showmigrations last said, per project) and whether
// the workspace is trusted, for migrationGuard.problems.scope = "pending". Nothing here runs manage.py: the server
// hears what the commands and the Django Migrations view already learned, again after each server (re)start.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import {
  APPLIED_MIGRATIONS_NOTIFICATION,
  WORKSPACE_TRUST_NOTIFICATION,
  type AppliedMigrationsParams,
  type WorkspaceTrustParams,
} from '../../../server/src/lsp/clientContract';
import type { ServerState } from '../languageClient';
import type { MigrationStateStore } from './migrationState';

export interface AppliedSyncServer {
  notify(method: string, params: unknown): Promise<void>;
  onDidChangeState: vscode.Event<ServerState>;
}

export function syncAppliedMigrations(state: MigrationStateStore, server: AppliedSyncServer, log: (message: string) => void): vscode.Disposable {
  const send = (managePy: string): void => {
    const apps = state.get(managePy)?.apps ?? [];
    const params: AppliedMigrationsParams = {
      projectUri: vscode.Uri.file(dirname(managePy)).toString(),
      // "partial" (a squash partly applied) still has work to do: it counts as not applied.
      apps: apps.map((app) => ({ app: app.app, migrations: app.migrations.map((migration) => ({ name: migration.name, applied: migration.state === 'applied' })) })),
    };
    server.notify(APPLIED_MIGRATIONS_NOTIFICATION, params).catch((error: unknown) => log(`Telling the language server the applied migrations failed: ${String(error)}`));
  };
  const sendTrust = (): void => {
    const params: WorkspaceTrustParams = { trusted: vscode.workspace.isTrusted };
    server.notify(WORKSPACE_TRUST_NOTIFICATION, params).catch((error: unknown) => log(`Telling the language server about workspace trust failed: ${String(error)}`));
  };
  return vscode.Disposable.from(
    state.onDidChange(send),
    server.onDidChangeState((serverState) => {
      if (serverState !== 'running') return;
      sendTrust();
      for (const managePy of state.managePyPaths()) send(managePy);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(sendTrust),
  );
}
