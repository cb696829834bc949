// The per-operation documentation the hover shows: complete for every operation and database, its rule links
// pointing at rules that exist, placeholders filled in.
import { strict as assert } from 'node:assert';
import { DATABASES } from '../../../../server/src/engine/config/types';
import { DOCUMENTED_OPERATIONS, describeOperation } from '../../../../server/src/engine/operationDocs';
import { ALL_RULES } from '../../../../server/src/engine/rules/index';

const REQUIRED = [
  'AddField', 'RemoveField', 'AlterField', 'RenameField', 'CreateModel', 'DeleteModel', 'RenameModel', 'AlterModelTable',
  'AddIndex', 'RemoveIndex', 'AddIndexConcurrently', 'RemoveIndexConcurrently', 'AddConstraint', 'RemoveConstraint',
  'AddConstraintNotValid', 'ValidateConstraint', 'AlterUniqueTogether', 'AlterIndexTogether', 'RunSQL', 'RunPython',
  'SeparateDatabaseAndState',
];

describe('operation docs', () => {
  it('documents every operation the hover must explain', () => {
    for (const name of REQUIRED) assert.ok(DOCUMENTED_OPERATIONS.includes(name), `${name} is not documented`);
  });

  it('says what happens in SQL, and what old code sees, on every database', () => {
    for (const name of DOCUMENTED_OPERATIONS) {
      for (const database of DATABASES) {
        const doc = describeOperation(name, { database, postgresVersion: 16 });
        assert.ok(doc, `${name} on ${database}`);
        assert.ok(doc.summary.length > 20, `${name}: summary`);
        assert.ok(doc.sql.length > 10, `${name} on ${database}: sql`);
        assert.ok(doc.oldCode.length > 3, `${name}: old code`);
        if (!doc.sql.startsWith('Not supported')) {
          for (const [key, text] of Object.entries({ lock: doc.lock, blocks: doc.blocks, rewrite: doc.rewrite })) assert.ok(text.length > 3, `${name} on ${database}: ${key}`);
        }
      }
    }
  });

  it('links only rules that exist', () => {
    const known = new Set([...ALL_RULES.map((rule) => rule.id), 'unused-ignore']);
    for (const name of DOCUMENTED_OPERATIONS) {
      const doc = describeOperation(name, { database: 'postgresql', postgresVersion: 16 })!;
      assert.ok(doc.relatedRules.length > 0, `${name} links no rule`);
      for (const rule of doc.relatedRules) assert.ok(known.has(rule), `${name} links unknown rule ${rule}`);
    }
  });

  it('fills in the table, column and index names, and keeps a visible placeholder when unknown', () => {
    const named = describeOperation('AddIndex', { database: 'postgresql', postgresVersion: 16, table: 'shop_order', name: 'order_created_idx' })!;
    assert.match(named.sql, /CREATE INDEX "order_created_idx" ON "shop_order"/);
    const unnamed = describeOperation('RemoveField', { database: 'postgresql', postgresVersion: 16 })!;
    assert.match(unnamed.sql, /ALTER TABLE "<table>" DROP COLUMN "<column>"/);
    assert.doesNotMatch(JSON.stringify(named), /\{(table|column|name)\}/);
  });

  it('depends on the PostgreSQL version where PostgreSQL changed (defaults rewrite before 11)', () => {
    assert.match(describeOperation('AddField', { database: 'postgresql', postgresVersion: 10 })!.rewrite, /Rewrites the whole table/);
    assert.match(describeOperation('AddField', { database: 'postgresql', postgresVersion: 16 })!.rewrite, /No rewrite for a nullable column/);
  });

  it('answers undefined for an operation it does not know', () => {
    assert.equal(describeOperation('IgnoreMigration', { database: 'postgresql', postgresVersion: 16 }), undefined);
    assert.equal(describeOperation('toString', { database: 'postgresql', postgresVersion: 16 }), undefined);
  });
});
