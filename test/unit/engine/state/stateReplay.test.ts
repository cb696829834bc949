// The migration graph and state replay: previous field definitions across migrations and apps, renames, squashed
// migrations, same-migration creation, merges, cycles, and cache invalidation after edits.
import { strict as assert } from 'node:assert';
import { Project } from '../../../../server/src/engine/analyze';
import { buildMigrationModel } from '../../../../server/src/engine/python/buildModel';
import type { Operation } from '../../../../server/src/engine/python/model';
import { parsePython } from '../../../../server/src/engine/python/parse';
import { MigrationGraph } from '../../../../server/src/engine/state/graph';
import { StateReplayer } from '../../../../server/src/engine/state/replay';
import type { StateView } from '../../../../server/src/engine/state/types';

/** A migration file from dependencies and operation lines. */
function migration(dependencies: string[], operations: string[], extra = ''): string {
  return [
    'from django.db import migrations, models',
    'import django.db.models.deletion',
    '',
    'class Migration(migrations.Migration):',
    extra ? `    ${extra}` : '',
    `    dependencies = [${dependencies.map((dep) => `("${dep.split('.')[0]}", "${dep.split('.')[1]}")`).join(', ')}]`,
    '    operations = [',
    ...operations.map((op) => `        ${op},`),
    '    ]',
    '',
  ].join('\n');
}

function projectOf(files: Record<string, string>): Project {
  const project = new Project([]);
  for (const [path, text] of Object.entries(files)) project.setFile(path, text);
  return project;
}

/** State before the n-th operation (allOperations order) of a file. */
function before(project: Project, path: string, index: number): { view: StateView; op: Operation } {
  const model = project.model(path);
  assert.ok(model, `no model for ${path}`);
  const op = model.allOperations[index];
  assert.ok(op, `no operation ${index} in ${path}`);
  return { view: project.stateBefore(path, op), op };
}

function fieldText(view: StateView, app: string, model: string, field: string): string | undefined {
  return view.field(app, model, field)?.call?.text;
}

const SHOP_0001 = migration(
  [],
  [
    'migrations.CreateModel(name="Order", fields=[("id", models.AutoField(primary_key=True)), ("code", models.CharField(max_length=10, null=True)), ("total", models.IntegerField())])',
    'migrations.CreateModel("Customer", [("id", models.AutoField(primary_key=True))], options={"db_table": "customers", "ordering": ["id"]})',
  ],
  'initial = True',
);

describe('state replay', () => {
  it('knows a field as it was before an AlterField, across several migrations', () => {
    const project = projectOf({
      'shop/migrations/0001_initial.py': SHOP_0001,
      'shop/migrations/0002_code.py': migration(['shop.0001_initial'], ['migrations.AlterField("order", "code", models.CharField(max_length=20, null=True))']),
      'shop/migrations/0003_code_not_null.py': migration(['shop.0002_code'], ['migrations.AlterField("Order", "Code", models.CharField(max_length=20))']),
    });
    const { view } = before(project, 'shop/migrations/0003_code_not_null.py', 0);
    assert.equal(fieldText(view, 'shop', 'Order', 'code'), 'models.CharField(max_length=20, null=True)');
    const field = view.field('shop', 'order', 'code')!;
    assert.equal(field.type, 'CharField');
    assert.equal(field.qualifiedType, 'django.db.models.CharField');
    assert.equal(field.kwargs['null']?.kind, 'bool');
    assert.equal(view.historyComplete('shop'), true);
    assert.equal(view.createdInSameMigration('shop', 'order'), false);
    assert.equal(view.model('shop', 'ORDER')?.createdIn?.migration, '0001_initial');
    assert.deepEqual([...view.model('shop', 'order')!.fields.keys()], ['id', 'code', 'total']);

    const first = before(project, 'shop/migrations/0002_code.py', 0).view;
    assert.equal(fieldText(first, 'shop', 'order', 'code'), 'models.CharField(max_length=10, null=True)');
  });

  it('follows RenameField, RenameModel, RemoveField and DeleteModel', () => {
    const project = projectOf({
      'shop/migrations/0001_initial.py': SHOP_0001,
      'shop/migrations/0002_renames.py': migration(
        ['shop.0001_initial'],
        [
          'migrations.RenameField("order", "code", "reference")',
          'migrations.RenameModel("Order", "Purchase")',
          'migrations.RemoveField("purchase", "total")',
          'migrations.DeleteModel("Customer")',
          'migrations.AlterField("purchase", "reference", models.TextField())',
        ],
      ),
    });
    const path = 'shop/migrations/0002_renames.py';
    assert.equal(fieldText(before(project, path, 1).view, 'shop', 'order', 'reference'), 'models.CharField(max_length=10, null=True)');
    assert.equal(before(project, path, 1).view.field('shop', 'order', 'code'), undefined);
    const afterRename = before(project, path, 2).view;
    assert.equal(afterRename.model('shop', 'order'), undefined);
    assert.equal(afterRename.model('shop', 'purchase')?.name, 'Purchase');
    // (RenameField moves the renamed field last, as Django's state does.)
    assert.deepEqual([...afterRename.model('shop', 'purchase')!.fields.keys()], ['id', 'total', 'reference']);
    const last = before(project, path, 4).view;
    assert.deepEqual([...last.model('shop', 'purchase')!.fields.keys()], ['id', 'reference']);
    assert.equal(last.model('shop', 'customer'), undefined);
  });

  it('tracks model options: db_table, AlterModelOptions, unique_together', () => {
    const project = projectOf({
      'shop/migrations/0001_initial.py': SHOP_0001,
      'shop/migrations/0002_options.py': migration(
        ['shop.0001_initial'],
        [
          'migrations.AlterModelTable("customer", "shop_customer")',
          'migrations.AlterModelOptions("customer", {"verbose_name": "client"})',
          'migrations.AlterUniqueTogether("order", {("code", "total")})',
          'migrations.AlterModelTable("customer", None)',
          'migrations.RunSQL("SELECT 1")',
        ],
      ),
    });
    const path = 'shop/migrations/0002_options.py';
    assert.equal(before(project, path, 0).view.model('shop', 'customer')!.options['db_table']?.text, '"customers"');
    assert.equal(before(project, path, 1).view.model('shop', 'customer')!.options['db_table']?.text, '"shop_customer"');
    const afterOptions = before(project, path, 2).view.model('shop', 'customer')!.options;
    assert.equal(afterOptions['ordering'], undefined, 'AlterModelOptions replaces ordering');
    assert.equal(afterOptions['verbose_name']?.text, '"client"');
    assert.equal(before(project, path, 3).view.model('shop', 'order')!.options['unique_together']?.kind, 'set');
    assert.equal(before(project, path, 4).view.model('shop', 'customer')!.options['db_table'], undefined);
  });

  it('sees other apps at the point this migration depends on', () => {
    const project = projectOf({
      'billing/migrations/0001_initial.py': migration([], ['migrations.CreateModel("Invoice", [("id", models.AutoField(primary_key=True)), ("amount", models.IntegerField())])']),
      'billing/migrations/0002_amount.py': migration(['billing.0001_initial'], ['migrations.AlterField("invoice", "amount", models.BigIntegerField())']),
      'shop/migrations/0001_initial.py': SHOP_0001,
      'shop/migrations/0002_invoice.py': migration(
        ['shop.0001_initial', 'billing.0001_initial'],
        ['migrations.AddField("order", "invoice", models.ForeignKey("billing.Invoice", on_delete=django.db.models.deletion.PROTECT))'],
      ),
    });
    const { view } = before(project, 'shop/migrations/0002_invoice.py', 0);
    assert.equal(fieldText(view, 'billing', 'Invoice', 'amount'), 'models.IntegerField()');
    assert.equal(view.historyComplete('billing'), true);
    assert.equal(view.createdInSameMigration('billing', 'invoice'), false);
    assert.equal(view.historyComplete('payments'), false);
    assert.equal(view.model('payments', 'x'), undefined);
  });

  describe('same-migration creation', () => {
    const path = 'shop/migrations/0002_new.py';
    const project = projectOf({
      'shop/migrations/0001_initial.py': SHOP_0001,
      [path]: migration(
        ['shop.0001_initial'],
        [
          'migrations.AddField("order", "note", models.TextField(null=True))',
          'migrations.CreateModel("Shipment", [("id", models.AutoField(primary_key=True))])',
          'migrations.AddField("shipment", "order", models.ForeignKey("shop.Order", on_delete=models.CASCADE))',
          'migrations.RenameModel("Shipment", "Delivery")',
          'migrations.AddIndex("delivery", models.Index(fields=["order"], name="d_idx"))',
          'migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel("Moved", [("id", models.AutoField(primary_key=True))])])',
          'migrations.AddField("moved", "x", models.IntegerField(null=True))',
          'migrations.SeparateDatabaseAndState(database_operations=[migrations.CreateModel("Raw", [])], state_operations=[])',
          'migrations.RunSQL("CREATE TABLE shop_raw2 ()")',
        ],
      ),
    });
    const model = project.model(path)!;
    const viewAt = (name: string, occurrence = 0) => {
      const ops = model.allOperations.filter((op) => op.name === name);
      return project.stateBefore(path, ops[occurrence]!);
    };

    it('is false for a table created by an earlier migration', () => {
      assert.equal(viewAt('AddField').createdInSameMigration('shop', 'order'), false);
    });

    it('is true for the CreateModel itself and for later operations on its table', () => {
      assert.equal(viewAt('CreateModel').createdInSameMigration('shop', 'Shipment'), true);
      assert.equal(viewAt('CreateModel').createdInSameMigration('shop', 'Order'), false);
      assert.equal(viewAt('AddField', 1).createdInSameMigration('shop', 'shipment'), true);
      assert.equal(viewAt('AddField', 1).model('shop', 'shipment')?.createdIn?.migration, '0002_new');
    });

    it('follows a rename of a new model', () => {
      assert.equal(viewAt('AddIndex').createdInSameMigration('shop', 'delivery'), true);
    });

    it('does not count state-only creations (the table already exists)', () => {
      assert.ok(viewAt('AddField', 2).model('shop', 'moved'), 'state_operations change the state');
      assert.equal(viewAt('AddField', 2).createdInSameMigration('shop', 'moved'), false);
    });

    it('counts tables created by database_operations without adding them to the state', () => {
      const last = viewAt('RunSQL');
      assert.equal(last.createdInSameMigration('shop', 'raw'), true);
      assert.equal(last.model('shop', 'raw'), undefined);
    });

    it('is false for other apps', () => {
      assert.equal(viewAt('RunSQL').createdInSameMigration('billing', 'shipment'), false);
    });
  });

  it('replays nested state operations before each nested operation', () => {
    const path = 'shop/migrations/0002_nested.py';
    const project = projectOf({
      'shop/migrations/0001_initial.py': SHOP_0001,
      [path]: migration(
        ['shop.0001_initial'],
        [
          'migrations.SeparateDatabaseAndState(database_operations=[migrations.RemoveField("order", "total"), migrations.RunSQL("SELECT 1")], state_operations=[migrations.RemoveField("order", "code"), migrations.AlterField("order", "total", models.BigIntegerField())])',
          'migrations.RunSQL("x", state_operations=[migrations.AddField("order", "flag", models.BooleanField(default=False))])',
          'migrations.RunSQL("y")',
        ],
      ),
    });
    const model = project.model(path)!;
    const at = (index: number) => project.stateBefore(path, model.allOperations[index]!);
    // database_operations see their own earlier effects, but never change the project state.
    assert.ok(at(2).field('shop', 'order', 'code'));
    assert.equal(at(2).field('shop', 'order', 'total'), undefined);
    assert.equal(fieldText(at(3), 'shop', 'order', 'total'), 'models.IntegerField()');
    assert.equal(at(4).field('shop', 'order', 'code'), undefined);
    assert.equal(fieldText(at(5), 'shop', 'order', 'total'), 'models.BigIntegerField()');
    assert.equal(at(7).field('shop', 'order', 'flag')?.type, 'BooleanField');
  });

  describe('squashed migrations', () => {
    const squash = migration(
      [],
      [
        'migrations.CreateModel("Order", [("id", models.AutoField(primary_key=True)), ("code", models.CharField(max_length=20, null=True))])',
      ],
      'replaces = [("shop", "0001_initial"), ("shop", "0002_code")]',
    );
    const originals = {
      'shop/migrations/0001_initial.py': SHOP_0001,
      'shop/migrations/0002_code.py': migration(['shop.0001_initial'], ['migrations.AlterField("order", "code", models.CharField(max_length=20, null=True))']),
    };
    const next = migration(['shop.0002_code'], ['migrations.AlterField("order", "code", models.CharField(max_length=20))']);

    it('uses the squashed migration when it and its originals are present', () => {
      const project = projectOf({ ...originals, 'shop/migrations/0001_squashed_0002_code.py': squash, 'shop/migrations/0003_next.py': next });
      const { view } = before(project, 'shop/migrations/0003_next.py', 0);
      // Only the squashed migration defines the model without `total`: the state comes from it, not the originals.
      assert.deepEqual([...view.model('shop', 'order')!.fields.keys()], ['id', 'code']);
      assert.equal(view.model('shop', 'order')?.createdIn?.migration, '0001_squashed_0002_code');
      assert.equal(view.historyComplete('shop'), true);
      // The originals still get their own history for their own analysis.
      const original = before(project, 'shop/migrations/0002_code.py', 0).view;
      assert.equal(fieldText(original, 'shop', 'order', 'code'), 'models.CharField(max_length=10, null=True)');
    });

    it('resolves dependencies on replaced names to the squashed migration once the originals are gone', () => {
      const project = projectOf({ 'shop/migrations/0001_squashed_0002_code.py': squash, 'shop/migrations/0003_next.py': next });
      const { view } = before(project, 'shop/migrations/0003_next.py', 0);
      assert.equal(fieldText(view, 'shop', 'order', 'code'), 'models.CharField(max_length=20, null=True)');
      assert.equal(view.historyComplete('shop'), true);
    });

    it('keeps one leaf per app and one main path', () => {
      const files = { ...originals, 'shop/migrations/0001_squashed_0002_code.py': squash, 'shop/migrations/0003_next.py': next };
      const graph = new MigrationGraph(Object.entries(files).map(([path, text]) => buildMigrationModel(path, text, parsePython(text).tree)));
      assert.deepEqual(graph.mainPath('shop').map((entry) => entry.node.name), ['0001_squashed_0002_code', '0003_next']);
      assert.deepEqual(graph.leaves('shop').map((entry) => entry.node.name), ['0003_next']);
      assert.equal(graph.resolve('shop', '0002_code'), 'shop/0001_squashed_0002_code');
      assert.equal(graph.resolve('shop', '__first__'), 'shop/0001_squashed_0002_code');
      assert.equal(graph.resolve('shop', '__latest__'), 'shop/0003_next');
      assert.equal(graph.entries.get('shop/0002_code')?.replacedBy, 'shop/0001_squashed_0002_code');
    });

    it('handles a 1,500-line squashed migration', () => {
      const operations: string[] = [];
      for (let index = 0; operations.length < 300; index++) {
        operations.push(
          `migrations.CreateModel(name="Model${index}", fields=[("id", models.BigAutoField(primary_key=True)), ("name", models.CharField(max_length=100)), ("parent", models.ForeignKey("shop.Model${Math.max(0, index - 1)}", on_delete=models.CASCADE, null=True))], options={"ordering": ["name"]})`,
          `migrations.AddField("model${index}", "code", models.CharField(max_length=10, null=True))`,
          `migrations.AlterField("model${index}", "code", models.CharField(max_length=20, null=True))`,
          `migrations.RenameField("model${index}", "code", "reference")`,
        );
      }
      const lines = migration([], operations, 'replaces = [' + Array.from({ length: 40 }, (_, i) => `("shop", "${String(i + 1).padStart(4, '0')}_x")`).join(', ') + ']').split('\n');
      // Pad to a realistic file length with the kind of comments squashmigrations leaves behind.
      while (lines.length < 1500) lines.splice(5, 0, '    # Functions from the following migrations need manual copying.');
      const text = lines.join('\n');
      const project = projectOf({ 'shop/migrations/0001_squashed_0040_x.py': text, 'shop/migrations/0041_next.py': migration(['shop.0040_x'], ['migrations.RemoveField("model74", "reference")']) });
      const { view } = before(project, 'shop/migrations/0041_next.py', 0);
      assert.equal(view.model('shop', 'model74')?.fields.get('reference')?.call?.text, 'models.CharField(max_length=20, null=True)');
      const squashed = project.model('shop/migrations/0001_squashed_0040_x.py')!;
      assert.equal(squashed.allOperations.length, 300);
      const lastOp = squashed.allOperations[299]!;
      assert.equal(project.stateBefore(squashed.path, lastOp).createdInSameMigration('shop', 'model74'), true);
      assert.equal(project.stateBefore(squashed.path, lastOp).createdInSameMigration('shop', 'model0'), true);
    });
  });

  it('merges branches: a merge migration sees both, each branch only its own', () => {
    const project = projectOf({
      'shop/migrations/0001_initial.py': SHOP_0001,
      'shop/migrations/0002_a.py': migration(['shop.0001_initial'], ['migrations.AddField("order", "a", models.IntegerField(null=True))']),
      'shop/migrations/0002_b.py': migration(['shop.0001_initial'], ['migrations.AddField("order", "b", models.IntegerField(null=True))', 'migrations.RunSQL("x")']),
      'shop/migrations/0003_merge.py': migration(['shop.0002_a', 'shop.0002_b'], ['migrations.RunSQL("SELECT 1")']),
    });
    const branch = before(project, 'shop/migrations/0002_b.py', 1).view;
    assert.ok(branch.field('shop', 'order', 'b'));
    assert.equal(branch.field('shop', 'order', 'a'), undefined);
    const merged = before(project, 'shop/migrations/0003_merge.py', 0).view;
    assert.ok(merged.field('shop', 'order', 'a'));
    assert.ok(merged.field('shop', 'order', 'b'));
  });

  it('reports incomplete history for a missing dependency or a broken file', () => {
    const missing = projectOf({ 'shop/migrations/0002_x.py': migration(['shop.0001_initial'], ['migrations.AlterField("order", "code", models.TextField())']) });
    const view = before(missing, 'shop/migrations/0002_x.py', 0).view;
    assert.equal(view.historyComplete('shop'), false);
    assert.equal(view.model('shop', 'order'), undefined);

    const broken = projectOf({
      'shop/migrations/0001_initial.py': SHOP_0001.replace('operations = [', 'operations = [(('),
      'shop/migrations/0002_x.py': migration(['shop.0001_initial'], ['migrations.AlterField("order", "code", models.TextField())']),
    });
    assert.equal(before(broken, 'shop/migrations/0002_x.py', 0).view.historyComplete('shop'), false);

    const initial = projectOf({ 'shop/migrations/0001_initial.py': SHOP_0001 });
    assert.equal(before(initial, 'shop/migrations/0001_initial.py', 0).view.historyComplete('shop'), true);
  });

  it('tolerates dependency cycles', () => {
    const files = {
      'shop/migrations/0001_a.py': migration(['shop.0002_b'], ['migrations.CreateModel("A", [])']),
      'shop/migrations/0002_b.py': migration(['shop.0001_a'], ['migrations.CreateModel("B", [])']),
      'shop/migrations/0003_c.py': migration(['shop.0002_b'], ['migrations.RunSQL("x")']),
    };
    const models = Object.entries(files).map(([path, text]) => buildMigrationModel(path, text, parsePython(text).tree));
    const graph = new MigrationGraph(models);
    assert.equal(graph.orderByApp.get('shop')?.length, 3);
    const replayer = new StateReplayer(graph);
    const view = replayer.viewBefore(models[2]!, models[2]!.allOperations[0]!);
    assert.equal(view.historyComplete('shop'), false);
    assert.ok(view.model('shop', 'b'));
  });

  it('handles a long linear chain without deep recursion', () => {
    const files: Record<string, string> = { 'shop/migrations/0001_initial.py': SHOP_0001 };
    let previous = '0001_initial';
    for (let index = 2; index <= 3000; index++) {
      const name = `${String(index).padStart(4, '0')}_step`;
      files[`shop/migrations/${name}.py`] = migration([`shop.${previous}`], [`migrations.AlterField("order", "code", models.CharField(max_length=${index}, null=True))`]);
      previous = name;
    }
    const project = projectOf(files);
    const { view } = before(project, `shop/migrations/${previous}.py`, 0);
    assert.equal(fieldText(view, 'shop', 'order', 'code'), 'models.CharField(max_length=2999, null=True)');
    assert.equal(view.historyComplete('shop'), true);
  });

  it('replays a 10,000-migration chain one migration at a time with a linear number of graph visits', () => {
    const count = 10_000;
    const models = Array.from({ length: count }, (_, index) => {
      const name = `${String(index + 1).padStart(5, '0')}_step`;
      const parent = index === 0 ? [] : [`shop.${String(index).padStart(5, '0')}_step`];
      const text = migration(parent, [index === 0 ? 'migrations.CreateModel("Order", [])' : 'migrations.RunSQL("x")']);
      return buildMigrationModel(`shop/migrations/${name}.py`, text, parsePython(text).tree);
    });
    const replayer = new StateReplayer(new MigrationGraph(models));
    for (const model of models) replayer.viewBefore(model, model.allOperations[0]!);
    assert.ok(replayer.work.entriesVisited <= 2 * count, `visited ${replayer.work.entriesVisited} graph entries for ${count} migrations`);
    assert.ok(replayer.viewBefore(models[count - 1]!, models[count - 1]!.allOperations[0]!).model('shop', 'order'));
  });

  describe('snapshots before every operation', () => {
    it('keep declaration order through alterations, removals, re-additions and renames, each snapshot unchanged by later operations', () => {
      const path = 'shop/migrations/0002_fields.py';
      const project = projectOf({
        'shop/migrations/0001_initial.py': SHOP_0001,
        [path]: migration(
          ['shop.0001_initial'],
          [
            'migrations.AddField("order", "note", models.TextField(null=True))',
            'migrations.AlterField("order", "code", models.CharField(max_length=99, null=True))',
            'migrations.RemoveField("order", "code")',
            'migrations.AddField("order", "code", models.IntegerField(null=True))',
            'migrations.RenameField("order", "id", "key")',
            'migrations.RenameField("order", "note", "total")',
            'migrations.RunSQL("SELECT 1")',
          ],
        ),
      });
      const keys = (index: number) => [...before(project, path, index).view.model('shop', 'order')!.fields.keys()];
      assert.deepEqual(keys(0), ['id', 'code', 'total']);
      assert.deepEqual(keys(1), ['id', 'code', 'total', 'note']);
      assert.deepEqual(keys(2), ['id', 'code', 'total', 'note']);
      assert.deepEqual(keys(3), ['id', 'total', 'note']);
      assert.deepEqual(keys(4), ['id', 'total', 'note', 'code']);
      // Django's RenameField pops the field and sets it under the new name: a new name goes last...
      assert.deepEqual(keys(5), ['total', 'note', 'code', 'key']);
      // ...and a name that exists keeps its position and takes the renamed field (dict assignment).
      assert.deepEqual(keys(6), ['total', 'code', 'key']);
      assert.equal(fieldText(before(project, path, 6).view, 'shop', 'order', 'total'), 'models.TextField(null=True)');
      assert.equal(fieldText(before(project, path, 2).view, 'shop', 'order', 'code'), 'models.CharField(max_length=99, null=True)');
      assert.equal(fieldText(before(project, path, 0).view, 'shop', 'order', 'code'), 'models.CharField(max_length=10, null=True)');
      const fields = before(project, path, 4).view.model('shop', 'order')!.fields;
      assert.equal(fields.size, 4);
      assert.equal(fields.has('note'), true);
      assert.deepEqual([...fields.values()].map((field) => field.type), ['AutoField', 'IntegerField', 'TextField', 'IntegerField']);
      const seen: string[] = [];
      fields.forEach((field, key) => seen.push(`${key}:${field.type}`));
      assert.deepEqual(seen, [...fields].map(([key, field]) => `${key}:${field.type}`));
    });

    it('replay thousands of operations on one model, every snapshot seeing exactly the fields added before it', () => {
      const count = 5000;
      const operations = ['migrations.CreateModel(name="Wide", fields=[("id", models.BigAutoField(primary_key=True))])'];
      for (let index = 0; index < count; index++) {
        operations.push(index % 10 === 9 ? `migrations.RemoveField("wide", "f${index - 1}")` : `migrations.AddField("wide", "f${index}", models.IntegerField(null=True))`);
      }
      const path = 'shop/migrations/0001_wide.py';
      const project = projectOf({ [path]: migration([], operations) });
      let expected = 1;
      const model = project.model(path)!;
      for (let index = 1; index <= count; index++) {
        const fields = project.stateBefore(path, model.allOperations[index]!).model('shop', 'wide')!.fields;
        assert.equal(fields.size, expected, `before operation ${index}`);
        expected += (index - 1) % 10 === 9 ? -1 : 1;
      }
      const last = project.stateBefore(path, model.allOperations[count]!).model('shop', 'wide')!;
      assert.deepEqual([...last.fields.keys()].slice(0, 4), ['id', 'f0', 'f1', 'f2']);
      assert.equal(last.fields.has('f8'), false);
      assert.equal(last.fields.get('f4997')?.type, 'IntegerField');
    });
  });

  describe('after edits (Project caches)', () => {
    it('re-replays the edited file and its descendants, not stale states', () => {
      const project = projectOf({
        'shop/migrations/0001_initial.py': SHOP_0001,
        'shop/migrations/0002_code.py': migration(['shop.0001_initial'], ['migrations.AlterField("order", "code", models.CharField(max_length=20, null=True))']),
        'shop/migrations/0003_x.py': migration(['shop.0002_code'], ['migrations.RunSQL("x")']),
      });
      assert.equal(fieldText(before(project, 'shop/migrations/0003_x.py', 0).view, 'shop', 'order', 'code'), 'models.CharField(max_length=20, null=True)');
      project.setFile(
        'shop/migrations/0002_code.py',
        migration(['shop.0001_initial'], ['migrations.AlterField("order", "code", models.CharField(max_length=50, null=True))']),
      );
      assert.equal(fieldText(before(project, 'shop/migrations/0003_x.py', 0).view, 'shop', 'order', 'code'), 'models.CharField(max_length=50, null=True)');
      project.setFile('shop/migrations/0001_initial.py', SHOP_0001.replace('max_length=10', 'max_length=5'));
      assert.equal(fieldText(before(project, 'shop/migrations/0002_code.py', 0).view, 'shop', 'order', 'code'), 'models.CharField(max_length=5, null=True)');
    });

    it('rebuilds the graph when dependencies change or files go away', () => {
      const project = projectOf({
        'shop/migrations/0001_initial.py': SHOP_0001,
        'shop/migrations/0002_x.py': migration([], ['migrations.AlterField("order", "code", models.TextField())']),
      });
      assert.equal(before(project, 'shop/migrations/0002_x.py', 0).view.model('shop', 'order'), undefined);
      project.setFile('shop/migrations/0002_x.py', migration(['shop.0001_initial'], ['migrations.AlterField("order", "code", models.TextField())']));
      assert.ok(before(project, 'shop/migrations/0002_x.py', 0).view.model('shop', 'order'));
      project.removeFile('shop/migrations/0001_initial.py');
      assert.equal(before(project, 'shop/migrations/0002_x.py', 0).view.model('shop', 'order'), undefined);
      assert.equal(before(project, 'shop/migrations/0002_x.py', 0).view.historyComplete('shop'), false);
    });
  });
});
