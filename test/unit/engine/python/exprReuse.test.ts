// Keystroke-cheap model building (python/exprReuse.ts): after an edit, the operations it did not touch come from the
// previous model, moved by the edit's length change. Whatever is reused, the model must equal a fresh build.
import { strict as assert } from 'node:assert';
import { buildMigrationModel } from '../../../../server/src/engine/python/buildModel';
import type { MigrationModel } from '../../../../server/src/engine/python/model';
import { parsePython, reparsePython } from '../../../../server/src/engine/python/parse';

const PATH = 'shop/migrations/0002_changes.py';
const BASE = `from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField(model_name="order", name="note", field=models.CharField(max_length=40, blank=True)),
        migrations.AlterField(
            model_name="order",
            name="customer",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="shop.customer", related_name="orders"),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL("CREATE INDEX CONCURRENTLY x ON shop_order (note)")],
            state_operations=[migrations.AddIndex(model_name="order", index=models.Index(fields=["note"], name="x"))],
        ),
        migrations.AddIndex(model_name="order", index=models.Index(fields=["-note"], name="note_desc", condition=models.Q(note__gt=""))),
        migrations.RemoveField(model_name="order", name="legacy"),
    ]
`;

function built(text: string, previous?: { model: MigrationModel; parsed: ReturnType<typeof parsePython> }): { model: MigrationModel; parsed: ReturnType<typeof parsePython> } {
  const parsed = previous ? reparsePython(previous.parsed, text) : parsePython(text);
  const before = previous && parsed.changed ? { model: previous.model, range: parsed.changed } : undefined;
  return { model: buildMigrationModel(PATH, text, parsed.tree, undefined, before), parsed };
}

/** The operations without parent links (compared separately) and the tree. */
function shape(model: MigrationModel): unknown {
  return model.allOperations.map((op) => ({ ...op, parent: op.parent ? model.allOperations.indexOf(op.parent) : -1 }));
}

const EDITS: [string, (text: string) => string][] = [
  ['a digit changed in the middle (same length)', (text) => text.replace('max_length=40', 'max_length=80')],
  ['characters typed in the middle (later operations move)', (text) => text.replace('related_name="orders"', 'related_name="orders_placed"')],
  ['a line deleted before every operation', (text) => text.replace('    dependencies = [("shop", "0001_initial")]\n', '')],
  ['an operation removed', (text) => text.replace('        migrations.RemoveField(model_name="order", name="legacy"),\n', '')],
  ['text typed inside a nested operation', (text) => text.replace('fields=["note"], name="x"', 'fields=["note"], name="x_idx"')],
  ['an import alias changed (names are qualified again)', (text) => text.replace('from django.db import migrations, models', 'from django.db import migrations, models as m')],
  ['a half-typed operation appended', (text) => text.replace('    ]\n', '        migrations.AddField(model_name="order", name=\n    ]\n')],
];

describe('model building reuses the operations an edit did not touch', () => {
  for (const [what, edit] of EDITS) {
    it(`${what}: equals a fresh build`, () => {
      const first = built(BASE);
      const text = edit(BASE);
      assert.notEqual(text, BASE, 'the edit applies');
      const incremental = built(text, first).model;
      const fresh = built(text).model;
      assert.deepStrictEqual(shape(incremental), shape(fresh));
      assert.deepStrictEqual(incremental.operations.map((op) => op.span), fresh.operations.map((op) => op.span));
      for (const op of incremental.allOperations) if (op.parent) assert.ok(incremental.allOperations.includes(op.parent), 'parents belong to the new model');
    });
  }

  it('keeps the objects of operations before the edit and builds moved copies after it', () => {
    const first = built(BASE);
    const edited = built(BASE.replace('related_name="orders"', 'related_name="orders_placed"'), first).model;
    assert.equal(edited.operations[0]?.call, first.model.operations[0]?.call, 'before the edit: the same object');
    assert.notEqual(edited.operations[1]?.call, first.model.operations[1]?.call, 'the edited operation is read again');
    const last = edited.operations[4]!;
    assert.notEqual(last.call, first.model.operations[4]?.call);
    assert.equal(last.call.span.start, first.model.operations[4]!.call.span.start + '_placed'.length);
    assert.equal(edited.text.slice(last.call.span.start, last.call.span.end), last.call.text);
  });
});
