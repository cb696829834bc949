// The tolerant SQL scanner behind the RunSQL rules: tokens, statement splitting with exact offsets, statement
// classification, the Python-literal offset map, and a seeded fuzz run proving no input makes any of it throw.
import { strict as assert } from 'node:assert';
import { scanSql, tokenizeSql, type SqlStatement } from '../../../../server/src/engine/sql/scanner';
import { accessExclusiveLock as accessExclusiveLockOnVersion } from '../../../../server/src/engine/sql/locks';
import {
  dmlVerb,
  isIdempotent,
  parseAddEnumValue,
  parseAlterTable,
  parseCreateIndex,
  parseDropTable,
  parseLockTable,
  parseReindex,
  parseVacuumFull,
  requiresNoTransaction,
  setsLockTimeout,
  transactionControl,
} from '../../../../server/src/engine/sql/statements';
import { decodePythonStrings } from '../../../../server/src/engine/rules/runSqlText';

const accessExclusiveLock = (statement: SqlStatement) => accessExclusiveLockOnVersion(statement, 16);

function only(sql: string): SqlStatement {
  const statements = scanSql(sql);
  assert.equal(statements.length, 1, `expected one statement in ${JSON.stringify(sql)}, got ${statements.map((s) => s.text).join(' | ')}`);
  return statements[0]!;
}

describe('SQL scanner', () => {
  describe('tokens', () => {
    it('upper-cases words and keeps quoted identifiers as written', () => {
      const tokens = tokenizeSql('create index "Order_Idx" on `shop`.order_line');
      assert.deepEqual(
        tokens.map((t) => [t.kind, t.value]),
        [
          ['word', 'CREATE'],
          ['word', 'INDEX'],
          ['quoted', 'Order_Idx'],
          ['word', 'ON'],
          ['quoted', 'shop'],
          ['punct', '.'],
          ['word', 'ORDER_LINE'],
        ],
      );
    });

    it('reads string literals with doubled quotes, E-escapes and dollar quoting as single tokens', () => {
      const tokens = tokenizeSql(`'it''s; ok' E'a\\'b; c' $$ BEGIN; END $$ $fn$ x $$ y $fn$`);
      assert.deepEqual(
        tokens.map((t) => [t.kind, t.value]),
        [
          ['string', "it's; ok"],
          ['string', "a'b; c"],
          ['string', ' BEGIN; END '],
          ['string', ' x $$ y '],
        ],
      );
    });

    it('skips line comments and nested block comments', () => {
      const tokens = tokenizeSql('SELECT -- CONCURRENTLY\n1 /* outer /* inner */ still comment */ + 2');
      assert.deepEqual(
        tokens.map((t) => t.text),
        ['SELECT', '1', '+', '2'],
      );
    });

    it('recognises query parameters and numbers', () => {
      const tokens = tokenizeSql('WHERE a = %s AND b = %(name)s AND c = $1 AND d = ? AND e = 1.5e3');
      assert.deepEqual(
        tokens.filter((t) => t.kind === 'param' || t.kind === 'number').map((t) => t.text),
        ['%s', '%(name)s', '$1', '?', '1.5e3'],
      );
    });

    it('gives offsets that slice back to the token text', () => {
      const sql = `  INSERT INTO "t" VALUES ('a''b', $q$x$q$); -- tail`;
      for (const token of tokenizeSql(sql)) assert.equal(sql.slice(token.start, token.end), token.text);
    });
  });

  describe('statements', () => {
    it('splits on semicolons outside strings, comments and dollar quotes', () => {
      const sql = `SELECT ';'; -- a; comment
        /* b; */ UPDATE t SET x = $$;$$;;
        DO $body$ BEGIN PERFORM 1; END $body$`;
      assert.deepEqual(
        scanSql(sql).map((s) => s.text),
        ["SELECT ';'", 'UPDATE t SET x = $$;$$', 'DO $body$ BEGIN PERFORM 1; END $body$'],
      );
    });

    it('reports offsets of the first and last token, excluding comments and the semicolon', () => {
      const sql = '\n  -- lead\n  CREATE INDEX i ON t (c) ; \n';
      const statement = only(sql);
      assert.equal(statement.start, sql.indexOf('CREATE'));
      assert.equal(statement.end, sql.indexOf(')') + 1);
      assert.equal(sql.slice(statement.start, statement.end), statement.text);
    });

    it('keeps SQL-standard and MySQL routine bodies in one statement', () => {
      const sql = `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;
        CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN IF NEW.a IS NULL THEN SET NEW.a = 1; END IF; END;
        COMMIT`;
      const statements = scanSql(sql);
      assert.equal(statements.length, 3);
      assert.match(statements[0]!.text, /SELECT 2; END$/);
      assert.match(statements[1]!.text, /END IF; END$/);
      assert.equal(transactionControl(statements[2]!), 'commit');
    });

    it('drops empty statements and runs unterminated literals to the end', () => {
      assert.deepEqual(scanSql(' ; ;; -- only a comment'), []);
      const statements = scanSql("SELECT 'never closed; DROP TABLE x");
      assert.equal(statements.length, 1);
      assert.equal(statements[0]!.tokens[1]!.kind, 'string');
    });
  });

  describe('classification', () => {
    it('reads CREATE INDEX options', () => {
      const index = parseCreateIndex(only('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "I" ON ONLY public."Order" (a)'));
      assert.deepEqual(
        { unique: index?.unique, concurrently: index?.concurrently, ifNotExists: index?.ifNotExists, index: index?.index?.name, table: index?.table?.name },
        { unique: true, concurrently: true, ifNotExists: true, index: 'I', table: 'Order' },
      );
      assert.equal(parseCreateIndex(only('CREATE INDEX ON shop_order (a)'))?.table?.name, 'shop_order');
      assert.equal(parseCreateIndex(only('CREATE TABLE t (a int)')), undefined);
    });

    it('splits ALTER TABLE into its actions', () => {
      const alter = parseAlterTable(
        only(`ALTER TABLE IF EXISTS ONLY shop_order
          ADD COLUMN a int NOT NULL, ADD b text DEFAULT 'x' NOT NULL, DROP c, DROP COLUMN IF EXISTS d,
          ALTER COLUMN e TYPE bigint USING e::bigint, ALTER f SET NOT NULL,
          ADD CONSTRAINT fk FOREIGN KEY (g) REFERENCES other (id) NOT VALID, ADD CHECK (h > 0),
          DROP CONSTRAINT old, VALIDATE CONSTRAINT v, RENAME COLUMN i TO j`),
      );
      assert.equal(alter?.table?.name, 'shop_order');
      assert.deepEqual(
        alter?.actions.map((a) => [a.kind, a.column?.name ?? a.constraintName?.name ?? a.constraintType ?? null]),
        [
          ['add-column', 'a'],
          ['add-column', 'b'],
          ['drop-column', 'c'],
          ['drop-column', 'd'],
          ['alter-column-type', 'e'],
          ['set-not-null', 'f'],
          ['add-constraint', 'fk'],
          ['add-constraint', 'check'],
          ['drop-constraint', 'old'],
          ['validate-constraint', 'v'],
          ['rename-column', 'i'],
        ],
      );
      const [a, b] = alter!.actions;
      assert.deepEqual([a!.notNull, a!.hasDefault, b!.notNull, b!.hasDefault], [true, false, true, true]);
      assert.equal(alter!.actions[6]!.notValid, true);
      assert.equal(alter!.actions[7]!.notValid, false);
      assert.equal(alter!.actions[3]!.ifExists, true);
    });

    it('tells transaction control from savepoints and blocks', () => {
      const control = (sql: string) => transactionControl(only(sql));
      assert.equal(control('BEGIN'), 'begin');
      assert.equal(control('BEGIN ISOLATION LEVEL SERIALIZABLE'), 'begin');
      assert.equal(control('START TRANSACTION'), 'begin');
      assert.equal(control('END'), 'commit');
      assert.equal(control('ABORT'), 'rollback');
      assert.equal(control('ROLLBACK TO SAVEPOINT s'), undefined);
      assert.equal(control('SAVEPOINT s'), undefined);
      assert.equal(control('DO $$ BEGIN COMMIT; END $$'), undefined);
    });

    it('recognises lock_timeout settings', () => {
      assert.deepEqual(setsLockTimeout(only("SET lock_timeout = '5s'")), { local: false });
      assert.deepEqual(setsLockTimeout(only("SET LOCAL lock_timeout TO '5s'")), { local: true });
      assert.deepEqual(setsLockTimeout(only("SELECT set_config('lock_timeout', '2s', true)")), { local: true });
      assert.equal(setsLockTimeout(only("SET statement_timeout = '5s'")), undefined);
    });

    it('classifies maintenance, locks and enum changes', () => {
      assert.ok(parseVacuumFull(only('VACUUM (VERBOSE, FULL) t')));
      assert.equal(parseVacuumFull(only('VACUUM (FULL false) t')), undefined);
      assert.equal(parseVacuumFull(only('VACUUM ANALYZE t')), undefined);
      assert.equal(parseReindex(only('REINDEX (CONCURRENTLY) TABLE t'))?.concurrently, true);
      assert.equal(parseReindex(only('REINDEX INDEX CONCURRENTLY i'))?.concurrently, true);
      assert.equal(parseReindex(only('REINDEX (VERBOSE) TABLE t'))?.concurrently, false);
      assert.equal(parseLockTable(only('LOCK TABLE a, b'))?.mode, 'ACCESS EXCLUSIVE');
      assert.equal(parseLockTable(only('LOCK a IN SHARE ROW EXCLUSIVE MODE NOWAIT'))?.mode, 'SHARE ROW EXCLUSIVE');
      assert.equal(parseLockTable(only('LOCK TABLES a WRITE'))?.mode, 'WRITE');
      assert.deepEqual(parseAddEnumValue(only("ALTER TYPE s ADD VALUE IF NOT EXISTS 'x' AFTER 'y'")), {
        type: { text: 's', name: 's', start: 11, end: 12 },
        ifNotExists: true,
        value: 'x',
      });
      assert.equal(parseDropTable(only('DROP TEMPORARY TABLE t'))?.temporary, true);
    });

    it('knows which statements take ACCESS EXCLUSIVE, need no transaction, or can be re-run', () => {
      assert.equal(accessExclusiveLock(only('ALTER TABLE t ADD COLUMN a int'))?.table?.name, 't');
      assert.equal(accessExclusiveLock(only('ALTER TABLE t VALIDATE CONSTRAINT c')), undefined);
      assert.equal(accessExclusiveLock(only('ALTER TABLE t ADD CONSTRAINT c FOREIGN KEY (a) REFERENCES u (id) NOT VALID')), undefined);
      assert.equal(accessExclusiveLock(only('CREATE INDEX i ON t (a)')), undefined);
      assert.ok(accessExclusiveLock(only('DROP INDEX i')));
      assert.equal(accessExclusiveLock(only('DROP INDEX CONCURRENTLY i')), undefined);
      assert.equal(requiresNoTransaction(only('CREATE INDEX CONCURRENTLY i ON t (a)')), true);
      assert.equal(requiresNoTransaction(only('REFRESH MATERIALIZED VIEW CONCURRENTLY v')), false);
      assert.equal(requiresNoTransaction(only("COMMENT ON TABLE t IS 'CONCURRENTLY'")), false);
      assert.equal(isIdempotent(only('CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)')), true);
      assert.equal(isIdempotent(only('CREATE INDEX CONCURRENTLY i ON t (a)')), false);
      assert.equal(isIdempotent(only('ALTER TABLE t ADD COLUMN IF NOT EXISTS a int, DROP COLUMN IF EXISTS b')), true);
      assert.equal(isIdempotent(only('ALTER TABLE t ADD COLUMN a int')), false);
      assert.equal(isIdempotent(only('INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING')), true);
      assert.equal(isIdempotent(only('INSERT INTO t VALUES (1)')), false);
      assert.equal(dmlVerb(only('WITH x AS (SELECT 1) UPDATE t SET a = 1')), 'UPDATE');
      assert.equal(dmlVerb(only('SELECT 1')), undefined);
    });
  });

  describe('Python string literals', () => {
    it('maps every decoded character back to its file offset', () => {
      const text = `x = ("CREATE\\tINDEX "  # why\n     'i ON t' r"\\d")`;
      const start = text.indexOf('(');
      const decoded = decodePythonStrings(text, start, text.length);
      assert.ok(decoded);
      assert.equal(decoded.value, 'CREATE\tINDEX i ON t\\d');
      assert.equal(decoded.offsets.length, decoded.value.length + 1);
      assert.equal(text[decoded.offsets.at(0)!], 'C');
      assert.equal(text.slice(decoded.offsets.at(6)!, decoded.offsets.at(6)! + 2), '\\t');
      assert.equal(text[decoded.offsets.at(decoded.value.indexOf('ON'))!], 'O');
    });

    it('handles triple quotes and refuses f-string fields', () => {
      const text = 's = """\nA;\n  B"""';
      const decoded = decodePythonStrings(text, 4, text.length);
      assert.equal(decoded?.value, '\nA;\n  B');
      assert.equal(text[decoded!.offsets.at(decoded!.value.indexOf('B'))!], 'B');
      assert.equal(decodePythonStrings('f"{x}"', 0, 6), undefined);
      assert.equal(decodePythonStrings('f"{{x}}"', 0, 8)?.value, '{x}');
    });
  });

  describe('fuzz', () => {
    /** mulberry32: a small deterministic PRNG so failures reproduce. */
    function random(seed: number): () => number {
      let state = seed >>> 0;
      return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    const FRAGMENTS = ["'", '"', '`', '$', '$$', '$a$', ';', '--', '/*', '*/', '\n', ' ', '(', ')', ',', '.', 'E', "E'", '\\', '%s', '%(', '?', '1', '.5', 'e', 'x', 'BEGIN', 'ATOMIC', 'END', 'CASE', 'CREATE', 'ALTER', 'TABLE', 'ADD', 'DROP', 'INDEX', 'CONCURRENTLY', 'NOT', 'VALID', 'IF', 'EXISTS', 'LOCK', 'VACUUM', 'FULL', 'REINDEX', 'TYPE', 'VALUE', '\u00e9', '\ud83d\ude00', '\ud800'];
    const PARSERS = [parseCreateIndex, parseAlterTable, parseDropTable, parseLockTable, parseReindex, parseVacuumFull, parseAddEnumValue, transactionControl, setsLockTimeout, dmlVerb, isIdempotent, accessExclusiveLock, requiresNoTransaction];

    it('never throws and keeps statement ranges ordered and in bounds', () => {
      const next = random(20240601);
      for (let round = 0; round < 1500; round++) {
        let sql = '';
        const length = Math.floor(next() * 40);
        for (let i = 0; i < length; i++) sql += FRAGMENTS[Math.floor(next() * FRAGMENTS.length)]!;
        const statements = scanSql(sql);
        let previousEnd = 0;
        for (const statement of statements) {
          assert.ok(statement.start >= previousEnd && statement.end <= sql.length && statement.start < statement.end, `bad range in ${JSON.stringify(sql)}`);
          assert.equal(sql.slice(statement.start, statement.end), statement.text);
          previousEnd = statement.end;
          for (const parse of PARSERS) parse(statement);
        }
      }
    });

    it('never throws on truncated real SQL or odd Python literals', () => {
      const sql = `CREATE FUNCTION f() RETURNS trigger AS $fn$ BEGIN NEW.a := 'x;'; RETURN NEW; END $fn$ LANGUAGE plpgsql;
        ALTER TABLE "shop_order" ADD CONSTRAINT c CHECK (a <> E'\\'') NOT VALID; /* done */ VACUUM (FULL) t;`;
      for (let cut = 0; cut <= sql.length; cut++) {
        for (const statement of scanSql(sql.slice(0, cut))) for (const parse of PARSERS) parse(statement);
      }
      const next = random(7);
      const pieces = ['"', "'", '"""', 'r', 'b', 'f', '\\', '\\x4', '\\N{', '\\u12', '{', '}', '#', '\n', ' ', '(', 'a'];
      for (let round = 0; round < 1000; round++) {
        let text = '';
        const length = Math.floor(next() * 20);
        for (let i = 0; i < length; i++) text += pieces[Math.floor(next() * pieces.length)]!;
        const decoded = decodePythonStrings(text, 0, text.length);
        if (decoded) assert.equal(decoded.offsets.length, decoded.value.length + 1);
      }
    });
  });
});
