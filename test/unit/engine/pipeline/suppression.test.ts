// The suppression stage (engine/suppression.ts), one for both front doors: ignore comments with the unused-ignore
// findings they earn, then exclusion and the baseline; the CLI and the language server both hide what a project's
// baseline accepts.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../../../../server/src/engine/analyze';
import { checkProject } from '../../../../server/src/engine/checkProject';
import { ProjectPolicy } from '../../../../server/src/engine/config/projectPolicy';
import { DEFAULT_CONFIG } from '../../../../server/src/engine/config/types';
import { buildMigrationModel } from '../../../../server/src/engine/python/buildModel';
import { parsePython } from '../../../../server/src/engine/python/parse';
import { applyIgnoreComments, suppressForReport, UNUSED_IGNORE_RULE_ID } from '../../../../server/src/engine/suppression';
import type { FindingCore } from '../../../../server/src/engine/types';
import { AnalysisService, pathToUri } from '../../../../server/src/lsp/analysisService';
import { SettingsStore } from '../../../../server/src/lsp/settings';
import { WorkspaceIndex } from '../../../../server/src/lsp/workspaceIndex';

const IGNORED = `from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        # migration-guard: ignore remove-field -- column unused since release 41
        migrations.RemoveField(model_name="order", name="legacy"),
        migrations.RemoveField(model_name="order", name="note"),  # migration-guard: ignore rename-field
        migrations.DeleteModel(name="Coupon"),  # migration-guard: ignore unused-ignore, delete-model, no-such-rule
    ]
`;

function modelOf(text: string) {
  return buildMigrationModel('shop/migrations/0002_x.py', text, parsePython(text).tree);
}

interface Item {
  rule: string;
  anchorLine: number;
  message?: string;
}

describe('the suppression stage', () => {
  const known = new Set(['remove-field', 'rename-field', 'delete-model', UNUSED_IGNORE_RULE_ID]);
  const findings: Item[] = [
    { rule: 'remove-field', anchorLine: 7 },
    { rule: 'remove-field', anchorLine: 8 },
    { rule: 'delete-model', anchorLine: 9 },
  ];

  it('drops what ignore comments name, and reports each entry that suppressed nothing as unused-ignore', () => {
    const unused: string[] = [];
    const kept = applyIgnoreComments(findings, modelOf(IGNORED), {
      knownRuleIds: known,
      evaluated: new Set(['remove-field', 'rename-field', 'delete-model']),
      unusedIgnoreFinding: (raw) => {
        unused.push(raw.message);
        return { rule: UNUSED_IGNORE_RULE_ID, anchorLine: IGNORED.slice(0, raw.span.start).split('\n').length - 1, message: raw.message };
      },
    });
    // Line 7's ignore and line 9's delete-model suppress; line 8 names another rule, so it is reported unused.
    assert.equal(unused.length, 2);
    assert.match(unused[0]!, /Unused `# migration-guard: ignore rename-field`/);
    assert.match(unused[1]!, /Unknown rule id `no-such-rule`/);
    // Line 9's comment also says `ignore unused-ignore`: its own unknown id is silenced, line 8's stale entry is not.
    assert.deepEqual(kept.map((item) => `${item.rule}@${item.anchorLine}`), ['remove-field@8', 'unused-ignore@8']);
    assert.match(kept[1]!.message!, /rename-field/);
  });

  it('reports no unused-ignore when that rule is off, and never judges an ignore for a rule that did not run', () => {
    const kept = applyIgnoreComments(findings, modelOf(IGNORED), { knownRuleIds: known, evaluated: new Set(['remove-field']) });
    assert.deepEqual(kept.map((item) => `${item.rule}@${item.anchorLine}`), ['remove-field@8']);
  });

  it('drops findings on excluded files (pyproject globs from its folder, the editor\'s from the workspace folder) before the baseline', () => {
    const finding = (file: string): FindingCore => ({ rule: 'remove-field', severity: 'warning', message: 'm', file, span: { start: 0, end: 1 } });
    const policy = new ProjectPolicy({ config: { ...DEFAULT_CONFIG, root: '/work/project', exclude: ['legacy/**'] }, editorExclude: { globs: ['vendor/**'], root: '/work/project' } });
    const all = ['/work/project/shop/migrations/0002_x.py', '/work/project/legacy/migrations/0002_x.py', '/work/project/vendor/migrations/0002_x.py', '/elsewhere/vendor/migrations/0002_x.py'].map(finding);
    const result = suppressForReport(all, { policy, sourceOf: () => 'x' });
    assert.deepEqual(result.kept.map((item) => item.file), ['/work/project/shop/migrations/0002_x.py', '/elsewhere/vendor/migrations/0002_x.py']);
    assert.equal(result.excluded, 2);
    assert.equal(result.baselineSuppressed, 0);
  });
});

describe('ignore comments and one finding per risk', () => {
  const initial = { path: 'shop/migrations/0001_initial.py', text: 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(name="Order", fields=[("id", models.BigAutoField(primary_key=True)), ("legacy", models.TextField(null=True))]),\n        migrations.CreateModel(name="Coupon", fields=[("id", models.BigAutoField(primary_key=True))]),\n    ]\n' };
  const drop = (comment: string) => ({
    path: 'shop/migrations/0002_drop.py',
    text: `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [\n        migrations.RemoveField(model_name="order", name="legacy"),\n        migrations.DeleteModel(name="Order"),\n        migrations.DeleteModel(name="Coupon"),${comment}\n    ]\n`,
  });
  const rulesOn = (comment: string) => analyze([initial, drop(comment)], { config: { ...DEFAULT_CONFIG, database: 'postgresql' } }).findings.filter((finding) => finding.file === 'shop/migrations/0002_drop.py').map((finding) => `${finding.rule}@${finding.start.line}`);

  it('reports an operation a later DeleteModel drops only through the DeleteModel, ignore comments in the file or not', () => {
    const plain = rulesOn('');
    assert.ok(!plain.some((entry) => entry.startsWith('remove-field')), plain.join(', '));
    assert.ok(plain.includes('delete-model@7'), plain.join(', '));
    // An ignore comment elsewhere in the file used to bring the superseded RemoveField finding back.
    const withIgnore = rulesOn('  # migration-guard: ignore delete-model');
    assert.deepEqual(withIgnore.filter((entry) => !entry.startsWith('delete-model@7')), []);
  });
});

describe('the baseline, in both front doors', function () {
  this.timeout(30000);
  let root: string;
  const files: Record<string, string> = {
    'pyproject.toml': '[tool.migration-guard]\ndatabase = "postgresql"\nbaseline = "migration-guard-baseline.json"\n',
    'shop/migrations/__init__.py': '',
    'shop/migrations/0001_initial.py': 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(name="Order", fields=[("id", models.BigAutoField(primary_key=True)), ("legacy", models.TextField(null=True)), ("note", models.TextField(null=True))]),\n    ]\n',
    'shop/migrations/0002_remove.py': 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [\n        migrations.RemoveField(model_name="order", name="legacy"),\n    ]\n',
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'mg-suppression-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('hides what the configured baseline accepts in the CLI and in the editor, and shows a changed operation again', async () => {
    const before = await checkProject({ paths: ['.'], cwd: root, flags: {}, workers: 1, writeBaselineFile: 'migration-guard-baseline.json' });
    assert.ok((before.baselineWritten?.entries ?? 0) > 0);
    const cli = await checkProject({ paths: ['.'], cwd: root, flags: {}, workers: 1 });
    assert.deepEqual(cli.report.findings.map((finding) => finding.rule), []);
    assert.ok((cli.report.baselineSuppressed ?? 0) > 0);

    const path = join(root, 'shop/migrations/0002_remove.py');
    let document = TextDocument.create(pathToUri(path), 'python', 1, files['shop/migrations/0002_remove.py']!);
    const documents = { get: (uri: string) => (uri === document.uri ? document : undefined), all: () => [document] } as unknown as TextDocuments<TextDocument>;
    const index = new WorkspaceIndex(() => undefined, (candidate) => candidate === path);
    const entry = index.addWorkspaceFolder(root, pathToUri(root));
    await index.indexFolder(entry, { report: () => undefined }, () => false);
    const settings = new SettingsStore({ console: { warn: () => undefined } } as unknown as Connection, { pullConfiguration: false, reportConfigProblem: () => undefined }, {});
    const service = new AnalysisService(documents, index, settings, { log: () => undefined, contentChanged: () => undefined });
    index.setEditorText(path, document.getText());
    assert.deepEqual((await service.analyse(document.uri))?.findings.map((finding) => finding.rule), []);

    // Another operation is a new finding: the baseline accepted the old one only.
    document = TextDocument.update(document, [{ text: document.getText().replace('name="legacy"', 'name="note"') }], 2);
    index.setEditorText(path, document.getText());
    assert.deepEqual((await service.analyse(document.uri))?.findings.map((finding) => finding.rule), ['remove-field']);
  });
});
