// activate(): composes the parts (language client, manage.py commands, migrations view, status, review panel).
// Behaviour lives in the modules; this file only wires them.
import * as vscode from 'vscode';
import { syncAppliedMigrations } from './django/appliedSync';
import { MigrationCodeLenses } from './django/codeLens';
import { registerManagePyCommands } from './django/commands';
import { ConflictMergeActions } from './django/conflictActions';
import { ManagePyLocator } from './django/managePy';
import { MigrationStateStore } from './django/migrationState';
import { MigrationsTree } from './django/migrationsTree';
import { ProjectResolver } from './django/projects';
import { InterpreterResolver } from './django/python';
import { MIGRATION_FILES, MigrationGuardClient, type ServerState } from './languageClient';
import { registerHistoryCommand } from './historyView';
import { Log } from './log';
import { PreviewDocuments } from './previewDocuments';
import { PrompterHolder, type Prompter } from './prompter';
import { registerReviewPanel } from './review/panel';
import { registerRuleDocsCommand } from './ruleDocsView';
import { MigrationStatus } from './status';
import { MigrationFindingsStatusBar } from './findingsStatusBar';
import {
  MIGRATION_FINDINGS_REQUEST,
  PROPOSED_MIGRATION_FINDINGS_REQUEST,
  WORKSPACE_FINDINGS_REQUEST,
  type FindingsResult,
  type ProposedMigrationFindingsResult,
} from '../../server/src/lsp/clientContract';

/** What the extension exports (`vscode.extensions.getExtension(...).exports`), used by the integration tests. */
export interface MigrationGuardApi {
  /** Answers every confirmation, pick and input with this Prompter until the returned Disposable is disposed. */
  usePrompter(prompter: Prompter): vscode.Disposable;
  serverState(): ServerState;
  /** The Django Migrations view's data (what its rows show), for the integration tests. */
  migrationsView: Pick<vscode.TreeDataProvider<unknown>, 'getChildren' | 'getTreeItem'>;
}

/** Set while active, so deactivate() can wait for the language server to exit. */
let stopLanguageServer: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): MigrationGuardApi {
  const previews = new PreviewDocuments();
  const log = new Log((title, output) => previews.show(`${title}.txt`, output));
  const prompter = new PrompterHolder();
  const client = new MigrationGuardClient(context, log);
  stopLanguageServer = () => client.stop();
  const migrations = new MigrationStateStore();
  const locator = new ManagePyLocator(context.workspaceState, prompter);
  const interpreters = new InterpreterResolver(log);
  const projects = new ProjectResolver(locator, interpreters, log);
  const tree = new MigrationsTree(migrations, log, {
    projects,
    workspaceFindings: () => client.request<FindingsResult>(WORKSPACE_FINDINGS_REQUEST, {}),
    onDidChangeInterpreter: interpreters.onDidChangeInterpreter,
  });
  const status = new MigrationStatus({ serverState: () => client.serverState, onDidChangeServerState: client.onDidChangeState, migrations });
  const codeLenses = new MigrationCodeLenses(migrations);
  const findingsStatusBar = new MigrationFindingsStatusBar({
    workspaceFindings: () => client.request<FindingsResult>(WORKSPACE_FINDINGS_REQUEST, {}),
    onDidChangeServerState: client.onDidChangeState,
    log: (message) => log.info(message),
  });

  context.subscriptions.push(
    log,
    previews,
    previews.register(),
    client,
    migrations,
    locator,
    interpreters,
    tree,
    status,
    findingsStatusBar,
    vscode.commands.registerCommand('migrationGuard.restartServer', () => client.restart()),
    vscode.commands.registerCommand('migrationGuard.showLogs', () => log.channel.show(true)),
    registerRuleDocsCommand(previews, prompter, log),
    registerHistoryCommand(client, previews, log),
    ...registerManagePyCommands({
      log,
      prompter,
      previews,
      projects,
      locator,
      state: migrations,
      showTree: (project) => tree.show(project),
      generatedSql: (file) => client.generatedSql(file),
      lintMigrations: (uris) => client.request<FindingsResult>(MIGRATION_FINDINGS_REQUEST, { uris }),
      lintProposed: (files) => client.request<ProposedMigrationFindingsResult>(PROPOSED_MIGRATION_FINDINGS_REQUEST, { files }),
    }),
    codeLenses,
    syncAppliedMigrations(migrations, client, (message) => log.warn(message)),
    vscode.languages.registerCodeLensProvider(MIGRATION_FILES, codeLenses),
    vscode.languages.registerCodeActionsProvider(MIGRATION_FILES, new ConflictMergeActions(), { providedCodeActionKinds: ConflictMergeActions.kinds }),
    ...registerReviewPanel(context, {
      onDueCountChanged: (due) => status.setDueCards(due.total),
      workspaceFindings: () => client.request<FindingsResult>(WORKSPACE_FINDINGS_REQUEST, {}),
      log: (message) => log.info(message),
    }),
  );

  void announceDjangoProjects(locator, log);
  void client.start();

  return { usePrompter: (replacement) => prompter.use(replacement), serverState: () => client.serverState, migrationsView: tree };
}

export function deactivate(): Promise<void> | undefined {
  // Everything else is in context.subscriptions; the server gets a clean shutdown that VS Code waits for.
  const stop = stopLanguageServer;
  stopLanguageServer = undefined;
  return stop?.();
}

/** Shows the Django Migrations view only in workspaces that hold a Django project. */
async function announceDjangoProjects(locator: ManagePyLocator, log: Log): Promise<void> {
  let found: boolean;
  try {
    found = (await locator.all()).length > 0;
  } catch (error) {
    // A configured managePyPath that does not exist still means the user works on a Django project.
    log.warn(error instanceof Error ? error.message : String(error));
    found = true;
  }
  await vscode.commands.executeCommand('setContext', 'migrationGuard.hasDjangoProject', found);
}
