// The editor features' engine (server/src/engine/navigation): completion, definitions, references, field and
// model history, outline and workspace symbols, read from a project's graph and replayed states.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Project } from '../../../../server/src/engine/analyze';
import { DEFAULT_CONFIG } from '../../../../server/src/engine/config/types';
import { completionsAt } from '../../../../server/src/engine/navigation/completion';
import { definitionAt, dependentsOf, historyOf, referencesAt } from '../../../../server/src/engine/navigation/definition';
import { documentSymbols, workspaceSymbols } from '../../../../server/src/engine/navigation/symbols';
import { cursorTarget } from '../../../../server/src/engine/navigation/target';
import type { MigrationModel } from '../../../../server/src/engine/python/model';

const FIXTURE = join(__dirname, '..', '..', '..', 'fixtures', 'lsp', 'navigation');

function fixtureProject(overrides: Record<string, string> = {}): Project {
  const project = new Project([]);
  for (const app of ['shop', 'billing']) {
    const folder = join(FIXTURE, app, 'migrations');
    for (const name of readdirSync(folder).filter((file) => file !== '__init__.py')) {
      const path = `/ws/${app}/migrations/${name}`;
      project.setFile(path, overrides[path] ?? readFileSync(join(folder, name), 'utf8'));
    }
  }
  for (const [path, text] of Object.entries(overrides)) if (!project.model(path)) project.setFile(path, text);
  return project;
}

function fileOf(project: Project, path: string): MigrationModel {
  const model = project.model(path);
  assert.ok(model, path);
  return model;
}

/** The offset of `marker` (its `|`) in the file: `model_name="pur|chase"`. */
function at(model: MigrationModel, marker: string, nth = 0): number {
  const needle = marker.replace('|', '');
  let found = -1;
  for (let index = 0; index <= nth; index++) found = model.text.indexOf(needle, found + 1);
  assert.ok(found >= 0, `${needle} not in ${model.path}`);
  return found + marker.indexOf('|');
}

function lineOf(model: MigrationModel, offset: number): string {
  const start = model.text.lastIndexOf('\n', offset - 1) + 1;
  return model.text.slice(start, model.text.indexOf('\n', offset)).trim();
}

const P4 = '/ws/shop/migrations/0004_purchase_code.py';
const P2 = '/ws/shop/migrations/0002_order_code.py';
const P1 = '/ws/shop/migrations/0001_initial.py';

describe('navigation engine', () => {
  describe('completion', () => {
    it('offers only the models alive before the operation, lower-cased for model_name', () => {
      const project = fixtureProject();
      const model = fileOf(project, P4);
      const labels = completionsAt(project.navigation(), model, at(model, 'model_name="pur|chase"')).map((item) => item.label);
      // Customer was deleted and Order renamed to Purchase in 0003.
      assert.deepEqual(labels, ['purchase']);
    });

    it('offers the fields of the model as they are at that point, with their definition', () => {
      const project = fixtureProject();
      const model = fileOf(project, P4);
      const items = completionsAt(project.navigation(), model, at(model, 'name="co|de"'));
      assert.deepEqual(items.map((item) => item.label).sort(), ['amount', 'code', 'id', 'note']);
      assert.equal(items.find((item) => item.label === 'code')?.detail, 'models.CharField(max_length=20, null=True)');
      assert.equal(items.find((item) => item.label === 'code')?.replace.end, at(model, 'name="code|"'));
    });

    it('offers nothing for a name the operation introduces (AddField, CreateModel, the new name of a rename)', () => {
      const project = fixtureProject();
      const p3 = fileOf(project, '/ws/shop/migrations/0003_purchase.py');
      assert.deepEqual(completionsAt(project.navigation(), p3, at(p3, 'name="no|te"')), []);
      assert.deepEqual(completionsAt(project.navigation(), p3, at(p3, 'new_name="Pur|chase"')), []);
      assert.deepEqual(completionsAt(project.navigation(), p3, at(p3, 'old_name="Or|der"')).map((item) => item.label), ['Order']);
    });

    it('never offers a field removed earlier', () => {
      const path = '/ws/shop/migrations/0005_more.py';
      const project = fixtureProject({ [path]: readFileSync(join(FIXTURE, 'shop/migrations/0004_purchase_code.py'), 'utf8').replace('0003_purchase', '0004_purchase_code').replace('name="code"', 'name=""') });
      const model = fileOf(project, path);
      const labels = completionsAt(project.navigation(), model, at(model, 'name="|"')).map((item) => item.label);
      assert.ok(!labels.includes('legacy') && !labels.includes('total'), labels.join(','));
      assert.ok(labels.includes('code'));
    });

    it('offers app labels, then that app’s migrations newest first, leaving out what would make a cycle', () => {
      const project = fixtureProject();
      const p2 = fileOf(project, P2);
      const source = project.navigation();
      assert.deepEqual(completionsAt(source, p2, at(p2, '("sh|op"')).map((item) => item.label), ['billing', 'shop']);
      // 0003 and 0004 depend on 0002: depending on them would be a cycle.
      assert.deepEqual(completionsAt(source, p2, at(p2, '"0001_|initial"')).map((item) => item.label), ['0001_initial']);
      const p4 = fileOf(project, P4);
      const items = completionsAt(source, p4, at(p4, '"0003|_purchase"'));
      assert.deepEqual(items.map((item) => item.label), ['0003_purchase', '0002_order_code', '0001_initial']);
      assert.deepEqual(items.map((item) => item.sortText), ['00000', '00001', '00002']);
    });

    it('completes a dependency tuple still being typed', () => {
      const path = '/ws/shop/migrations/0005_typing.py';
      const project = fixtureProject({ [path]: 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "")]\n    operations = []\n' });
      const model = fileOf(project, path);
      const labels = completionsAt(project.navigation(), model, at(model, '"shop", "|"')).map((item) => item.label);
      assert.deepEqual(labels, ['0004_purchase_code', '0003_purchase', '0002_order_code', '0001_initial']);
    });

    it('offers operation classes after migrations. in an operations list only, with their required arguments', () => {
      const path = '/ws/shop/migrations/0005_typing.py';
      const text = 'from django.db import migrations as m\n\n\nclass Migration(m.Migration):\n    dependencies = [("shop", "0004_purchase_code")]\n    operations = [\n        m.Add\n    ]\n';
      const project = fixtureProject({ [path]: text });
      const model = fileOf(project, path);
      const items = completionsAt(project.navigation(), model, at(model, 'm.Add|'));
      const addField = items.find((item) => item.label === 'AddField');
      assert.ok(addField?.snippet);
      assert.equal(addField.insertText, 'AddField(\n    model_name="${1}",\n    name="${2}",\n    field=${3:models.Field()},\n)');
      assert.deepEqual(addField.replace, { start: at(model, 'm.|Add'), end: at(model, 'm.Add|') });
      assert.ok(!items.some((item) => item.label === 'AddIndexConcurrently'), 'a PostgreSQL operation is not in django.db.migrations');
      assert.match(items.find((item) => item.label === 'RunPython')?.insertText ?? '', /reverse_code=/);
      // Not as a base class, not in dependencies.
      assert.deepEqual(completionsAt(project.navigation(), model, at(model, 'm.|Migration')), []);
    });
  });

  describe('definition and references', () => {
    it('goes from a dependency to its migration, from a model to its CreateModel, from a field to its last definition', () => {
      const project = fixtureProject();
      const source = project.navigation();
      const p4 = fileOf(project, P4);
      const dependency = definitionAt(source, p4, at(p4, '"0003|_purchase"'));
      assert.equal(dependency[0]?.model.path, '/ws/shop/migrations/0003_purchase.py');
      const created = definitionAt(source, p4, at(p4, 'model_name="pur|chase"'));
      assert.equal(created[0]?.model.path, P1);
      assert.equal(lineOf(created[0]!.model, created[0]!.span.start), 'migrations.CreateModel(');
      assert.match(created[0]!.model.text.slice(created[0]!.span.start, created[0]!.span.end), /name="Order"/);
      const field = definitionAt(source, p4, at(p4, 'name="co|de"'));
      assert.equal(field[0]?.model.path, P2);
      assert.match(field[0]!.model.text.slice(field[0]!.span.start, field[0]!.span.end), /^migrations\.AlterField\(/);
    });

    it('has no definition for a field already removed or a model already deleted', () => {
      const path = '/ws/shop/migrations/0005_gone.py';
      const text = 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0004_purchase_code")]\n    operations = [\n        migrations.RemoveField(model_name="purchase", name="legacy"),\n        migrations.DeleteModel(name="Customer"),\n    ]\n';
      const project = fixtureProject({ [path]: text });
      const model = fileOf(project, path);
      assert.deepEqual(definitionAt(project.navigation(), model, at(model, 'name="leg|acy"')), []);
      assert.deepEqual(definitionAt(project.navigation(), model, at(model, 'name="Cus|tomer"')), []);
    });

    it('finds the migrations that depend on one, in every app', () => {
      const project = fixtureProject();
      const source = project.navigation();
      const p1 = fileOf(project, P1);
      const references = referencesAt(source, p1, at(p1, 'class Mig|ration'), false);
      assert.deepEqual(references.map((location) => location.model.path).sort(), ['/ws/billing/migrations/0001_initial.py', P2]);
      assert.equal(dependentsOf(source, 'shop/0004_purchase_code').length, 0);
    });

    it('finds every operation that touched a field, across renames of its model', () => {
      const project = fixtureProject();
      const p4 = fileOf(project, P4);
      const references = referencesAt(project.navigation(), p4, at(p4, 'name="co|de"'), true);
      assert.deepEqual(
        references.map((location) => `${location.model.name}:${lineOf(location.model, location.span.start)}`),
        ['0001_initial:("code", models.CharField(max_length=10, null=True)),', '0002_order_code:name="code",', '0003_purchase:old_name="Order",', '0004_purchase_code:name="code",'],
      );
    });
  });

  describe('history', () => {
    it('lists every version of a field in graph order, following renames', () => {
      const project = fixtureProject();
      const p1 = fileOf(project, P1);
      const target = cursorTarget(p1, at(p1, '("to|tal"'));
      assert.ok(target?.kind === 'name');
      const history = historyOf(project.navigation(), p1, target);
      assert.deepEqual(
        history.events.map((event) => [event.migration.name, event.op.name, event.change, event.label, event.definition, event.current]),
        [
          ['0001_initial', 'CreateModel', 'created', 'Order.total', 'models.IntegerField(default=0)', true],
          ['0002_order_code', 'RenameField', 'renamed', 'order.amount', 'total → amount', false],
          ['0003_purchase', 'RenameModel', 'renamed', 'Purchase.amount', 'Order → Purchase', false],
        ],
      );
    });

    it('ends a field at its removal, and marks a state-only one', () => {
      const project = fixtureProject();
      const p2 = fileOf(project, P2);
      const target = cursorTarget(p2, at(p2, 'name="leg|acy"'));
      assert.ok(target?.kind === 'name');
      const events = historyOf(project.navigation(), p2, target).events;
      assert.deepEqual(events.map((event) => [event.migration.name, event.change, event.stateOnly]), [
        ['0001_initial', 'created', false],
        ['0002_order_code', 'removed', true],
      ]);
    });

    it('lists a model’s operations up to its deletion', () => {
      const project = fixtureProject();
      const p1 = fileOf(project, P1);
      const target = cursorTarget(p1, at(p1, 'name="Cust|omer"'));
      assert.ok(target?.kind === 'name');
      const events = historyOf(project.navigation(), p1, target).events;
      assert.deepEqual(events.map((event) => [event.migration.name, event.change, event.definition]), [
        ['0001_initial', 'created', 'id'],
        ['0003_purchase', 'deleted', ''],
      ]);
    });
  });

  describe('symbols', () => {
    it('outlines a migration: class, dependencies, operations with app.Model.field', () => {
      const project = fixtureProject();
      const [root] = documentSymbols(project.navigation(), fileOf(project, P2));
      assert.equal(root?.name, 'Migration');
      assert.equal(root?.detail, 'shop.0002_order_code');
      assert.deepEqual(root?.children.map((child) => child.name), ['dependencies', 'operations']);
      assert.deepEqual(root?.children[0]?.children.map((child) => child.name), ['shop.0001_initial']);
      const operations = root?.children[1]?.children ?? [];
      assert.deepEqual(operations.map((child) => `${child.name} ${child.detail}`), ['AlterField shop.Order.code', 'SeparateDatabaseAndState ', 'RenameField shop.Order.total']);
      assert.deepEqual(operations[1]?.children.map((child) => `${child.name} ${child.detail}`), ['RemoveField shop.Order.legacy']);
    });

    it('lists migrations and the models of the latest state, never a deleted one', () => {
      const project = fixtureProject();
      const all = workspaceSymbols(project.navigation(), '');
      const models = all.filter((hit) => hit.kind === 'model').map((hit) => `${hit.container}.${hit.name}`);
      assert.deepEqual(models.sort(), ['billing.Invoice', 'shop.Purchase']);
      assert.equal(all.filter((hit) => hit.kind === 'migration').length, 5);
      const purchase = all.find((hit) => hit.name === 'Purchase');
      assert.equal(purchase?.location.model.path, P1);
      assert.deepEqual(workspaceSymbols(project.navigation(), 'purcode').map((hit) => hit.name), ['0004_purchase_code']);
    });
  });

  it('answers every request at every offset of valid, half-typed and broken files without throwing', () => {
    const broken = [
      'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", \n    operations = [migrations.AlterField(model_name="purchase", name=',
      'from django.db import migrations as m\nclass Migration(m.Migration):\n    run_before = [("shop", "0001_initial")]\n    operations = [m.RenameField("purchase", "code", ), m.SeparateDatabaseAndState(state_operations=[m.', 
      'class Migration:\n    operations = [("x", )]\n',
    ];
    const overrides = Object.fromEntries(broken.map((text, index) => [`/ws/shop/migrations/0009_broken_${index}.py`, text]));
    const project = fixtureProject(overrides);
    const source = project.navigation();
    for (const path of [P1, P2, '/ws/shop/migrations/0003_purchase.py', P4, ...Object.keys(overrides)]) {
      const model = fileOf(project, path);
      documentSymbols(source, model);
      for (let offset = 0; offset <= model.text.length; offset++) {
        completionsAt(source, model, offset);
        definitionAt(source, model, offset);
        referencesAt(source, model, offset, true);
      }
    }
    assert.ok(workspaceSymbols(source, 'x').length >= 0);
  });

  it('offers no operation class inside a comment', () => {
    const path = '/ws/shop/migrations/0005_typing.py';
    const project = fixtureProject({ [path]: 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = []\n    operations = [\n        # see migrations.Add\n    ]\n' });
    const model = fileOf(project, path);
    assert.deepEqual(completionsAt(project.navigation(), model, at(model, 'migrations.Add|')), []);
  });

  it('answers from the states the diagnostics replayed: no replay per request', () => {
    const project = new Project();
    for (const app of ['shop', 'billing']) {
      const folder = join(FIXTURE, app, 'migrations');
      for (const name of readdirSync(folder).filter((file) => file !== '__init__.py')) project.setFile(`/ws/${app}/migrations/${name}`, readFileSync(join(folder, name), 'utf8'));
    }
    project.analyzeFile(P4, { ...DEFAULT_CONFIG, root: '/ws' });
    // The replayer's own counter of graph entries walked (see StateReplayer.work); private to the Project.
    const work = () => (project as unknown as { replayer: { work: { entriesVisited: number } } }).replayer.work.entriesVisited;
    const before = work();
    const source = project.navigation();
    const model = fileOf(project, P4);
    for (let offset = 0; offset <= model.text.length; offset++) {
      completionsAt(source, model, offset);
      definitionAt(source, model, offset);
      referencesAt(source, model, offset, true);
    }
    documentSymbols(source, model);
    assert.equal(work(), before);
    assert.equal(project.navigation().graph, source.graph);
  });
});

