// The CLI and the language server ask one project policy (engine/config/projectPolicy.ts): for every file of a
// project with several apps, a package MIGRATION_MODULES moves (in the settings and in pyproject), an excluded app,
// Django's private modules and a folder that is not a migrations package, both front doors agree on what is a
// migration, what is excluded, and so on what gets reported.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkProject } from '../../../server/src/engine/checkProject';
import { ProjectLayout } from '../../../server/src/engine/django/projectLayout';
import { migrationIdentity } from '../../../server/src/engine/python/migrationPath';
import { AnalysisService, pathToUri } from '../../../server/src/lsp/analysisService';
import { SettingsStore } from '../../../server/src/lsp/settings';
import { WorkspaceIndex } from '../../../server/src/lsp/workspaceIndex';

const INITIAL = (app: string) => `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(name="Order", fields=[("id", models.BigAutoField(primary_key=True)), ("legacy", models.TextField(null=True))]),
    ]
# ${app}
`;

const REMOVE = (app: string) => `from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("${app}", "0001_initial")]
    operations = [
        migrations.RemoveField(model_name="order", name="legacy"),
    ]
`;

/** Path -> text. The second migration of each folder removes a field: reported wherever the file is reported at all. */
const PROJECT: Record<string, string> = {
  'pyproject.toml': '[tool.migration-guard]\ndatabase = "postgresql"\nexclude = ["legacy/**"]\nmigration-modules = { catalog = "catalog.schema_migrations" }\n',
  'config/settings.py': 'INSTALLED_APPS = ["shop", "billing.apps.BillingConfig", "catalog", "legacy"]\nMIGRATION_MODULES = {"billing": "billing.db_migrations"}\n',
  'billing/apps.py': 'from django.apps import AppConfig\n\n\nclass BillingConfig(AppConfig):\n    name = "billing"\n',
  'shop/migrations/__init__.py': '',
  'shop/migrations/0001_initial.py': INITIAL('shop'),
  'shop/migrations/0002_remove_legacy.py': REMOVE('shop'),
  // Django's loader skips private modules.
  'shop/migrations/_draft.py': REMOVE('shop'),
  'billing/db_migrations/__init__.py': '',
  'billing/db_migrations/0001_initial.py': INITIAL('billing'),
  'billing/db_migrations/0002_remove_legacy.py': REMOVE('billing'),
  // MIGRATION_MODULES moved billing's migrations: Django never reads this folder.
  'billing/migrations/__init__.py': '',
  'billing/migrations/0001_initial.py': INITIAL('billing'),
  'billing/migrations/0002_remove_legacy.py': REMOVE('billing'),
  'catalog/schema_migrations/__init__.py': '',
  'catalog/schema_migrations/0001_initial.py': INITIAL('catalog'),
  'catalog/schema_migrations/0002_remove_legacy.py': REMOVE('catalog'),
  // Excluded by pyproject: read for the history, never reported.
  'legacy/migrations/__init__.py': '',
  'legacy/migrations/0001_initial.py': INITIAL('legacy'),
  'legacy/migrations/0002_remove_legacy.py': REMOVE('legacy'),
  // Not a migrations package.
  'notes/drafts/0002_remove_legacy.py': REMOVE('shop'),
};

const CANDIDATES = Object.keys(PROJECT).filter((path) => path.endsWith('.py') && !path.endsWith('__init__.py') && !path.endsWith('apps.py') && !path.endsWith('settings.py'));

function writeProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'mg-front-doors-'));
  for (const [path, text] of Object.entries(PROJECT)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** What the CLI reports a remove-field on, as project-relative paths. */
async function reportedByCli(root: string): Promise<string[]> {
  const outcome = await checkProject({ paths: ['.'], cwd: root, flags: {}, workers: 1 });
  return [...new Set(outcome.report.findings.filter((finding) => finding.rule === 'remove-field').map((finding) => finding.file))].sort();
}

/** What the language server reports a remove-field on when each candidate is opened in turn, and what it calls a migration. */
async function reportedByLsp(root: string): Promise<{ reported: string[]; migrations: string[] }> {
  const open = new Map<string, TextDocument>();
  const documents = { get: (uri: string) => open.get(uri), all: () => [...open.values()] } as unknown as TextDocuments<TextDocument>;
  const index = new WorkspaceIndex(() => undefined, (path) => [...open.values()].some((document) => document.uri === pathToUri(path)));
  const entry = index.addWorkspaceFolder(root, pathToUri(root));
  await index.indexFolder(entry, { report: () => undefined }, () => false);
  const connection = { console: { warn: () => undefined } } as unknown as Connection;
  const settings = new SettingsStore(connection, { pullConfiguration: false, reportConfigProblem: () => undefined }, {});
  const service = new AnalysisService(documents, index, settings, { log: () => undefined, contentChanged: () => undefined });
  const reported: string[] = [];
  const migrations: string[] = [];
  for (const path of CANDIDATES) {
    const absolute = join(root, path);
    if (index.isMigration(absolute)) migrations.push(path);
    const document = TextDocument.create(pathToUri(absolute), 'python', 1, readFileSync(absolute, 'utf8'));
    open.clear();
    open.set(document.uri, document);
    index.setEditorText(absolute, document.getText());
    const analysis = await service.analyse(document.uri);
    if (analysis?.findings.some((finding) => finding.rule === 'remove-field')) reported.push(path);
  }
  return { reported: reported.sort(), migrations: migrations.sort() };
}

describe('the CLI and the language server share one project policy', function () {
  this.timeout(30000);
  let root: string;

  before(() => {
    root = writeProject();
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('agree on which files are migrations, which are excluded, and so what is reported', async () => {
    const cli = await reportedByCli(root);
    const lsp = await reportedByLsp(root);
    const expected = ['billing/db_migrations/0002_remove_legacy.py', 'catalog/schema_migrations/0002_remove_legacy.py', 'shop/migrations/0002_remove_legacy.py'];
    assert.deepEqual(cli.map((file) => relative(root, join(root, file)).split('\\').join('/')), expected);
    assert.deepEqual(lsp.reported, expected);
    // Excluded migrations are still migrations (read for the history); the moved folder, private modules and other
    // folders are not.
    assert.deepEqual(lsp.migrations, [
      'billing/db_migrations/0001_initial.py',
      'billing/db_migrations/0002_remove_legacy.py',
      'catalog/schema_migrations/0001_initial.py',
      'catalog/schema_migrations/0002_remove_legacy.py',
      'legacy/migrations/0001_initial.py',
      'legacy/migrations/0002_remove_legacy.py',
      'shop/migrations/0001_initial.py',
      'shop/migrations/0002_remove_legacy.py',
    ]);
  });

  it('has one convention for a model built without a project: the file\'s own folder is migrations/', () => {
    for (const path of ['shop/migrations/0001_initial.py', '/abs/src/billing/migrations/0002_x.py', 'shop/migrations/squashed/0001_x.py', 'notes/0001_x.py']) {
      const conventional = ProjectLayout.CONVENTIONAL.identify(path);
      assert.deepEqual(migrationIdentity(path).app, conventional?.app ?? '', path);
    }
  });
});
