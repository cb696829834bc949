// The lock model without a database: what depends on the PostgreSQL version or on the caller's hints, what it refuses
// to guess, and how statements are read. The modes themselves are checked on a real PostgreSQL in
// test/postgres/locks.test.ts.
import { strict as assert } from 'node:assert';
import { accessExclusiveLock, postgresStatementEffect, whatModeBlocks, type StatementEffect, type StatementHints } from '../../../../server/src/engine/sql/locks';
import { scanSql } from '../../../../server/src/engine/sql/scanner';
import { LOCK_SHAPES } from '../../../postgres/lockShapes';

function effect(sql: string, version = 15, hints?: StatementHints): StatementEffect | undefined {
  const statements = scanSql(sql);
  assert.equal(statements.length, 1, sql);
  return postgresStatementEffect(statements[0]!, version, hints);
}

function locks(sql: string, version = 15, hints?: StatementHints): string[] {
  const found = effect(sql, version, hints);
  assert.ok(found, `the model knows ${sql}`);
  return [...found.locks.map((lock) => `${lock.mode} ${lock.kind} ${lock.relation}`), ...found.unnamedLocks.map((lock) => `${lock.mode} ${lock.what}`)];
}

describe('PostgreSQL lock model', () => {
  it('knows every verified shape', () => {
    for (const shape of LOCK_SHAPES) assert.ok(effect(shape.statement, 15, shape.hints), shape.id);
  });

  it('returns undefined for statements it does not know', () => {
    for (const sql of [
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$',
      'GRANT SELECT ON t TO reporting',
      'COPY t FROM STDIN',
      'LOCK TABLES t WRITE',
      'LOCK TABLE t IN SOMETHING MODE',
      'CREATE TABLE t2 AS SELECT * FROM t',
      'CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM (1) TO (2)',
      'ALTER INDEX i SET TABLESPACE fast',
      'ALTER SEQUENCE s OWNER TO admin',
      'VACUUM t',
      'COMMENT ON CONSTRAINT c ON t IS $$x$$',
      'ALTER TABLE t ADD CONSTRAINT c FOREIGN KEY (a)',
      'DROP TEMPORARY TABLE t',
    ]) {
      assert.equal(effect(sql), undefined, sql);
    }
  });

  it('reports ALTER COLUMN TYPE work only with the caller’s hint', () => {
    const sql = 'ALTER TABLE "t" ALTER COLUMN "a" TYPE bigint USING "a"::bigint';
    assert.equal(effect(sql)?.work, 'unknown');
    assert.equal(effect(sql, 15, { typeChangeRewrites: true })?.work, 'rewrite');
    assert.equal(effect(sql, 15, { typeChangeRewrites: false })?.work, 'catalog');
    assert.deepEqual(locks(sql), ['ACCESS EXCLUSIVE table t']);
  });

  it('rewrites for a default before PostgreSQL 11, and for a volatile default on any version', () => {
    const constant = 'ALTER TABLE "t" ADD COLUMN "s" varchar(20) DEFAULT \'new\'::varchar(20) NOT NULL';
    assert.equal(effect(constant, 10)?.work, 'rewrite');
    assert.equal(effect(constant, 11)?.work, 'catalog');
    assert.equal(effect('ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now() NOT NULL')?.work, 'catalog');
    assert.equal(effect('ALTER TABLE t ADD COLUMN c timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL')?.work, 'catalog');
    assert.equal(effect('ALTER TABLE t ADD COLUMN c double precision DEFAULT (RANDOM()) NOT NULL')?.work, 'rewrite');
    assert.equal(effect('ALTER TABLE t ADD COLUMN c bigint DEFAULT nextval(\'s\') NOT NULL')?.work, 'rewrite');
    assert.equal(effect('ALTER TABLE t ADD COLUMN c text DEFAULT my_function() NOT NULL')?.work, 'unknown');
    assert.equal(effect('ALTER TABLE t ADD COLUMN c bigint GENERATED ALWAYS AS (a * 2) STORED')?.work, 'rewrite');
    assert.equal(effect('ALTER TABLE t ADD COLUMN c integer NOT NULL')?.work, 'scan');
    assert.equal(effect('ALTER TABLE t ADD COLUMN c integer NULL UNIQUE')?.work, 'index-build');
    assert.equal(effect('ALTER TABLE t ADD COLUMN c integer DEFAULT NULL', 10)?.work, 'catalog');
  });

  it('names the index’s table and the linked tables only from hints', () => {
    assert.deepEqual(locks('DROP INDEX "i"'), ['ACCESS EXCLUSIVE index i', "ACCESS EXCLUSIVE the index's table"]);
    assert.deepEqual(locks('DROP INDEX "i"', 15, { indexTable: 't' }), ['ACCESS EXCLUSIVE index i', 'ACCESS EXCLUSIVE table t']);
    assert.deepEqual(locks('ALTER TABLE "t" DROP CONSTRAINT "fk"', 15, { linkedTables: ['u'] }), ['ACCESS EXCLUSIVE table t', 'ACCESS EXCLUSIVE table u']);
    assert.deepEqual(locks('ALTER TABLE "t" VALIDATE CONSTRAINT "fk"', 15, { linkedTables: ['u'] }), ['SHARE UPDATE EXCLUSIVE table t', 'ROW SHARE table u']);
    assert.deepEqual(locks('ALTER TABLE "t" VALIDATE CONSTRAINT "c"', 15, { linkedTables: [] }), ['SHARE UPDATE EXCLUSIVE table t']);
  });

  it('follows the version for ALTER INDEX RENAME and ALTER TYPE ADD VALUE', () => {
    assert.deepEqual(locks('ALTER INDEX "i" RENAME TO "j"', 11), ['ACCESS EXCLUSIVE index i']);
    assert.deepEqual(locks('ALTER INDEX "i" RENAME TO "j"', 12), ['SHARE UPDATE EXCLUSIVE index i']);
    assert.equal(effect("ALTER TYPE mood ADD VALUE 'ok'", 11)?.noTransaction, true);
    assert.equal(effect("ALTER TYPE mood ADD VALUE 'ok'", 12)?.noTransaction, false);
  });

  it('combines the actions of one ALTER TABLE', () => {
    const combined = effect('ALTER TABLE "t" ADD COLUMN "u_id" integer NULL, ADD CONSTRAINT "fk" FOREIGN KEY ("u_id") REFERENCES "u" ("id") NOT VALID');
    assert.deepEqual(
      combined?.locks.map((lock) => `${lock.mode} ${lock.relation}`),
      ['ACCESS EXCLUSIVE t', 'SHARE ROW EXCLUSIVE u'],
    );
    assert.equal(combined?.blocks, 'reads and writes');
    assert.equal(effect('ALTER TABLE t ALTER COLUMN a TYPE bigint, ALTER COLUMN b SET NOT NULL', 15, { typeChangeRewrites: true })?.work, 'rewrite');
  });

  it('reads the tables of queries, not the names inside function calls', () => {
    assert.deepEqual(locks('SELECT EXTRACT(YEAR FROM created) FROM "shop_order" o WHERE o.a IS DISTINCT FROM o.b'), ['ACCESS SHARE table shop_order']);
    assert.deepEqual(locks('SELECT 1 FROM a, b x JOIN c ON true FOR UPDATE'), ['ROW SHARE table a', 'ROW SHARE table b', 'ROW SHARE table c']);
    assert.deepEqual(locks('SELECT * FROM generate_series(1, 10) g'), []);
    assert.equal(effect("SELECT set_config('lock_timeout', '5s', true)")?.work, 'none');
    assert.deepEqual(locks('UPDATE t SET a = u.a FROM u WHERE u.id = t.id').slice(0, 2), ['ROW EXCLUSIVE table t', 'ACCESS SHARE table u']);
    assert.deepEqual(locks('WITH moved AS (DELETE FROM t RETURNING *) INSERT INTO archive SELECT * FROM moved').slice(0, 3), ['ROW EXCLUSIVE table t', 'ROW EXCLUSIVE table archive', 'ACCESS SHARE table moved']);
    assert.deepEqual(locks("SELECT setval(pg_get_serial_sequence('t', 'id'), 1)"), ['ROW EXCLUSIVE the sequence nextval()/setval() changes']);
  });

  it('says what each mode blocks and summarises in plain words', () => {
    assert.equal(whatModeBlocks('ACCESS EXCLUSIVE'), 'reads and writes');
    assert.equal(whatModeBlocks('EXCLUSIVE'), 'writes');
    assert.equal(whatModeBlocks('SHARE'), 'writes');
    assert.equal(whatModeBlocks('SHARE UPDATE EXCLUSIVE'), 'schema changes');
    assert.equal(whatModeBlocks('ACCESS SHARE'), 'schema changes');
    assert.equal(effect('CREATE TABLE "n" ("id" serial NOT NULL PRIMARY KEY)')?.blocks, 'nothing');
    assert.equal(
      effect('CREATE INDEX CONCURRENTLY "i" ON "t" ("a")')?.summary,
      'SHARE UPDATE EXCLUSIVE on t (schema changes wait); builds an index by reading every row; cannot run inside a transaction block.',
    );
  });

  it('keeps the ACCESS EXCLUSIVE view the rules use', () => {
    const table = (sql: string) => {
      const found = accessExclusiveLock(scanSql(sql)[0]!, 15);
      return found === undefined ? 'none' : (found.table?.name ?? 'unnamed');
    };
    assert.equal(table('ALTER TABLE t ADD COLUMN a int'), 't');
    assert.equal(table('ALTER TABLE t VALIDATE CONSTRAINT c'), 'none');
    assert.equal(table('REINDEX TABLE t'), 't');
    assert.equal(table('REINDEX INDEX i'), 'unnamed');
    assert.equal(table('DROP INDEX i'), 'unnamed');
    assert.equal(table('ALTER TABLE t SET (fillfactor = 90)'), 'none');
    assert.equal(table('ALTER SEQUENCE s RENAME TO s2'), 'none');
    assert.equal(table('LOCK TABLE a, b'), 'a');
  });

  it('never throws on random or truncated SQL', () => {
    let state = 20261202;
    const next = (): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const fragments = ['SELECT', 'FROM', 'JOIN', 'INSERT', 'INTO', 'UPDATE', 'DELETE', 'WITH', 'SET', 'CONSTRAINTS', 'ALL', 'COMMENT', 'ON', 'IS', 'COLUMN', 'TABLE', 'INDEX', 'SEQUENCE', 'ALTER', 'CREATE', 'DROP', 'ADD', 'OWNED', 'BY', 'RENAME', 'TO', 'DEFAULT', 'REFERENCES', 'CLUSTER', 'USING', 'TRUNCATE', 'LOCK', 'IN', 'MODE', 'REINDEX', 'VACUUM', 'FULL', 'CONCURRENTLY', 'NOT', 'NULL', 'VALID', 'TYPE', 'nextval', 'setval', 'GENERATED', 'AS', 'IDENTITY', 'FOR', 'DISTINCT', '(', ')', ',', '.', ':', "'", "'s'", '"q"', 't', 'u', '1', ' '];
    for (let round = 0; round < 3000; round++) {
      let sql = '';
      const length = 1 + Math.floor(next() * 16);
      for (let i = 0; i < length; i++) sql += `${fragments[Math.floor(next() * fragments.length)]!} `;
      for (const statement of scanSql(sql)) {
        for (const version of [10, 15]) {
          const found = postgresStatementEffect(statement, version, { indexTable: 't', linkedTables: ['u'] });
          for (const lock of found?.locks ?? []) assert.equal(typeof lock.relation, 'string', sql);
        }
      }
    }
    for (const shape of LOCK_SHAPES) {
      for (let cut = 0; cut <= shape.statement.length; cut += 3) {
        for (const statement of scanSql(shape.statement.slice(0, cut))) postgresStatementEffect(statement, 15, shape.hints);
      }
    }
  });
});
