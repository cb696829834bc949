// The edit primitives of engine/fixes/ on the cases the rule fixtures do not show: imports merged and placed in isort
// order, line endings kept, and the conditions of "move to a new migration" (the file's shape, the app's numbers,
// nothing depending on the migration yet).
import { strict as assert } from 'node:assert';
import { Project, analyze } from '../../../../server/src/engine/analyze';
import { DEFAULT_CONFIG } from '../../../../server/src/engine/config/types';
import { setAtomicFalse } from '../../../../server/src/engine/fixes/atomic';
import { importEdits } from '../../../../server/src/engine/fixes/imports';
import { moveToNewMigration } from '../../../../server/src/engine/fixes/newMigration';
import { swapOperation } from '../../../../server/src/engine/fixes/operations';
import type { MigrationModel } from '../../../../server/src/engine/python/model';
import { applyTextEdits, resolveFix } from '../../../../server/src/engine/quickFixes';

const PATH = 'shop/migrations/0002_change.py';

function modelOf(text: string, path = PATH): MigrationModel {
  const project = new Project();
  project.setFile(path, text);
  const model = project.model(path);
  assert.ok(model);
  return model;
}

const migration = (imports: string, operations: string) => `${imports}


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
${operations}
    ]
`;

const ADD_INDEX = `        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["created"], name="order_created_idx"),
        ),`;
const ADD_FIELD = `        migrations.AddField(
            model_name="order",
            name="note",
            field=models.TextField(null=True),
        ),`;

describe('fix primitives', () => {
  describe('imports', () => {
    it('merges a name into an existing `from X import` line at its sorted place', () => {
      const source = migration('from django.db import models', ADD_INDEX).replace('(migrations.Migration)', '(models.Model)');
      const model = modelOf(source);
      const text = applyTextEdits(source, importEdits(model, 'django.db', ['migrations']));
      assert.match(text, /^from django\.db import migrations, models\n\n\nclass/);
    });

    it('merges into a parenthesized import one name per line', () => {
      const source = migration('from django.contrib.postgres.operations import (\n    AddIndexConcurrently,\n    RemoveIndexConcurrently,\n)\nfrom django.db import migrations, models', ADD_INDEX);
      const model = modelOf(source);
      const text = applyTextEdits(source, importEdits(model, 'django.contrib.postgres.operations', ['BtreeGinExtension']));
      assert.match(text, /import \(\n {4}AddIndexConcurrently,\n {4}BtreeGinExtension,\n {4}RemoveIndexConcurrently,\n\)/);
    });

    it('puts a new `from` line before the module that sorts after it, keeping the blank line after the standard library', () => {
      const source = migration('import uuid\n\nfrom django.db import migrations, models', ADD_INDEX);
      const text = applyTextEdits(source, importEdits(modelOf(source), 'django.contrib.postgres.operations', ['AddIndexConcurrently']));
      assert.match(text, /^import uuid\n\nfrom django\.contrib\.postgres\.operations import AddIndexConcurrently\nfrom django\.db import migrations, models\n\n\nclass/);
    });

    it('sorts names the way isort does: constants, classes, then functions and modules', () => {
      const source = migration('from shop.constants import DEFAULT, Status, compute', ADD_INDEX);
      const text = applyTextEdits(source, importEdits(modelOf(source), 'shop.constants', ['MAX', 'Kind', 'helper']));
      assert.match(text, /^from shop\.constants import DEFAULT, MAX, Kind, Status, compute, helper\n/);
    });
  });

  it('writes every line break of a fix in the file\'s CRLF style', () => {
    const source = migration('from django.db import migrations, models', ADD_INDEX).replace(/\n/g, '\r\n');
    const model = modelOf(source);
    const op = model.allOperations[0]!;
    const { edits } = resolveFix({ title: 'x', safe: true, edits: [...swapOperation(model, op, 'django.contrib.postgres.operations', 'AddIndexConcurrently'), setAtomicFalse()] }, model);
    const text = applyTextEdits(source, edits);
    assert.match(text, /atomic = False\r\n/);
    assert.match(text, /import AddIndexConcurrently\r\nfrom django\.db/);
    assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, 'a bare \\n was written');
  });

  describe('moveToNewMigration', () => {
    it('numbers the new migration after the highest number of the app', () => {
      const model = modelOf(migration('from django.db import migrations, models', `${ADD_FIELD}\n${ADD_INDEX}`));
      const index = model.allOperations.find((op) => op.name === 'AddIndex')!;
      const fix = { title: 'move', safe: false, edits: moveToNewMigration(model, [index], { nameFragment: 'order_order_created_idx', atomic: false }) };
      const resolved = resolveFix(fix, model, { migrationNames: ['0001_initial', '0002_change', '0007_later_branch'] });
      assert.deepEqual(resolved.newFiles.map((file) => file.path), ['shop/migrations/0008_order_order_created_idx.py']);
      assert.match(resolved.newFiles[0]!.text, /atomic = False\n\n {4}dependencies = \[\n {8}\("shop", "0002_change"\),\n {4}\]/);
      assert.doesNotMatch(applyTextEdits(model.text, resolved.edits), /AddIndex/);
    });

    it('writes the new migration and the removal in the file\'s CRLF style', () => {
      const model = modelOf(migration('from django.db import migrations, models', `${ADD_FIELD}\n${ADD_INDEX}`).replace(/\n/g, '\r\n'));
      const index = model.allOperations.find((op) => op.name === 'AddIndex')!;
      const rewrites = swapOperation(model, index, 'django.contrib.postgres.operations', 'AddIndexConcurrently');
      const resolved = resolveFix({ title: 'move', safe: false, edits: moveToNewMigration(model, [index], { nameFragment: 'x', atomic: false, rewrites }) }, model);
      const [created] = resolved.newFiles;
      assert.ok(created);
      assert.equal(created.text.replace(/\r\n/g, '').includes('\n'), false, 'a bare \\n in the new file');
      assert.match(created.text, /^from django\.contrib\.postgres\.operations import AddIndexConcurrently\r\nfrom django\.db import migrations, models\r\n/);
      assert.match(created.text, /\r\n {8}AddIndexConcurrently\(\r\n {12}model_name="order",\r\n/);
      const rest = applyTextEdits(model.text, resolved.edits);
      assert.match(rest, /null=True\),\r\n {8}\),\r\n {4}\]\r\n$/);
    });

    it('moves nothing when the operation is the only one, or shares its line with another', () => {
      const alone = modelOf(migration('from django.db import migrations, models', ADD_INDEX));
      assert.deepEqual(moveToNewMigration(alone, alone.operations, { nameFragment: 'x', atomic: false }), []);
      const oneLine = modelOf(migration('from django.db import migrations, models', '        migrations.RunSQL("SELECT 1"), migrations.RunSQL("SELECT 2"),'));
      assert.deepEqual(moveToNewMigration(oneLine, [oneLine.operations[1]!], { nameFragment: 'x', atomic: false }), []);
    });

    it('is offered by add-index-non-concurrent only while no migration depends on this one', () => {
      const config = { ...DEFAULT_CONFIG, select: ['add-index-non-concurrent'] };
      const source = migration('from django.db import migrations, models', `${ADD_FIELD}\n${ADD_INDEX}`);
      const titles = (files: { path: string; text: string }[]) => analyze(files, { config }).findings.flatMap((finding) => finding.fixes.map((fix) => fix.title));
      assert.deepEqual(titles([{ path: PATH, text: source }]), ['Use AddIndexConcurrently and atomic = False', 'Move to a new non-atomic migration as AddIndexConcurrently']);
      const dependent = { path: 'shop/migrations/0003_next.py', text: 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0002_change")]\n    operations = []\n' };
      assert.deepEqual(titles([{ path: PATH, text: source }, dependent]), ['Use AddIndexConcurrently and atomic = False']);
    });
  });
});
