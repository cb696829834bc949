// The language server's fix check (lsp/fixCheck.ts) on the engine alone: a fix whose result gains an error or a
// syntax error is dropped, one that gains a warning is demoted, a clean one passes; and checking leaves the project
// exactly as it was.
import { strict as assert } from 'node:assert';
import { Project } from '../../../server/src/engine/analyze';
import { DEFAULT_CONFIG } from '../../../server/src/engine/config/types';
import { checkFix, type FixCheckSubject } from '../../../server/src/lsp/fixCheck';

const INITIAL = `from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[("id", models.BigAutoField(primary_key=True)), ("total", models.IntegerField(null=True))],
        ),
    ]
`;

const CHANGE = `from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="note",
            field=models.TextField(null=True),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["total"], name="order_total_idx"),
        ),
    ]
`;

const PATH = 'shop/migrations/0002_change.py';

function subject(): FixCheckSubject {
  const project = new Project();
  project.setFile('shop/migrations/0001_initial.py', INITIAL);
  project.setFile(PATH, CHANGE);
  const config = { ...DEFAULT_CONFIG };
  return { project, path: PATH, config, text: CHANGE, findings: project.analyzeFile(PATH, config) };
}

/** A fix replacing the first occurrence of `from` with `to`. */
function replacing(from: string, to: string) {
  const start = CHANGE.indexOf(from);
  assert.ok(start >= 0, from);
  return { edits: [{ span: { start, end: start + from.length }, newText: to }], newFiles: [] };
}

describe('fix check', () => {
  it('passes a fix that only removes findings', () => {
    const check = subject();
    assert.ok(check.findings.some((finding) => finding.rule === 'add-index-non-concurrent'));
    const removeIndex = replacing('        migrations.AddIndex(\n            model_name="order",\n            index=models.Index(fields=["total"], name="order_total_idx"),\n        ),\n', '');
    assert.deepEqual(checkFix(check, removeIndex), { kind: 'clean' });
  });

  it('demotes a fix that trades its finding for a warning: atomic = False beside another operation', () => {
    const check = subject();
    const concurrent = {
      edits: [
        { span: { start: 0, end: 0 }, newText: 'from django.contrib.postgres.operations import AddIndexConcurrently\n' },
        { span: { start: CHANGE.indexOf('    dependencies'), end: CHANGE.indexOf('    dependencies') }, newText: '    atomic = False\n' },
        { span: { start: CHANGE.indexOf('migrations.AddIndex('), end: CHANGE.indexOf('migrations.AddIndex(') + 'migrations.AddIndex'.length }, newText: 'AddIndexConcurrently' },
      ],
      newFiles: [],
    };
    assert.deepEqual(checkFix(check, concurrent), { kind: 'trades', gained: ['non-atomic-mixed-operations'] });
  });

  it('drops a fix whose result gains an error finding, or a syntax error', () => {
    const check = subject();
    const dropsColumn = replacing('        migrations.AddIndex(', '        migrations.RemoveField(model_name="order", name="total"),\n        migrations.AddIndex(');
    assert.deepEqual(checkFix(check, dropsColumn), { kind: 'breaks', gained: ['remove-field'] });
    const broken = replacing('name="note",', 'name="note" = (,');
    assert.equal(checkFix(check, broken).kind, 'breaks');
  });

  it('counts the findings of the migrations a fix creates', () => {
    const check = subject();
    const newFile = { path: 'shop/migrations/0003_more.py', text: CHANGE.replace('0001_initial', '0002_change').replace('name="note"', 'name="other"').replace('null=True)', ')') };
    const verdict = checkFix(check, { edits: [], newFiles: [newFile] });
    assert.equal(verdict.kind, 'breaks');
    assert.ok(verdict.kind === 'breaks' && verdict.gained.includes('add-field-not-null-no-default'));
  });

  it('leaves the project as it was: the same model, the same findings, no new file', () => {
    const check = subject();
    const model = check.project.model(PATH);
    checkFix(check, replacing('        migrations.AddIndex(', '        migrations.RemoveField(model_name="order", name="total"),\n        migrations.AddIndex('));
    checkFix(check, { edits: [], newFiles: [{ path: 'shop/migrations/0003_more.py', text: CHANGE.replace('0001_initial', '0002_change') }] });
    assert.equal(check.project.model(PATH), model);
    assert.equal(check.project.model('shop/migrations/0003_more.py'), undefined);
    assert.deepEqual(check.project.analyzeFile(PATH, check.config), check.findings);
  });
});
