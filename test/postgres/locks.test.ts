// The lock model (server/src/engine/sql/locks.ts) against a real PostgreSQL 15: every statement shape of
// lockShapes.ts is run on a private cluster holding tables with rows, its locks read from pg_locks by a second session
// while the transaction is open, and its table files compared before and after. docs/locks.md is generated from the
// same shapes and model (scripts/generateLocksDoc.ts), so what it says is what this test checked.
import { strict as assert } from 'node:assert';
import { NON_VOLATILE_POSTGRES_FUNCTIONS, VOLATILE_POSTGRES_FUNCTIONS } from '../../server/src/engine/django/dbFunctions';
import { LOCK_MODES, lockModesConflict, postgresStatementEffect } from '../../server/src/engine/sql/locks';
import { scanSql } from '../../server/src/engine/sql/scanner';
import { postgresUnavailableReason, requireHost, startPostgres, type Postgres } from '../django/support';
import { disagreements, observe } from './lockProbe';
import { BASE_SCHEMA, LOCK_SHAPES, VERIFIED_POSTGRES_MAJOR } from './lockShapes';
import { PsqlSession, SqlError, psqlBinary, psqlOnce, type Connection } from './psqlSession';

describe(`PostgreSQL locks, verified on PostgreSQL ${VERIFIED_POSTGRES_MAJOR}`, function () {
  this.timeout(120_000);
  let postgres: Postgres | undefined;
  let admin: Connection;
  let databases = 0;

  before(async function () {
    const missing = postgresUnavailableReason() ?? (psqlBinary() ? undefined : 'psql not found (apt-get install postgresql-client-15)');
    requireHost(this, missing === undefined, missing ?? '');
    postgres = await startPostgres();
    admin = { port: postgres.port, database: 'postgres' };
    const [[version, versionNumber]] = psqlOnce(admin, "SELECT current_setting('server_version'), current_setting('server_version_num')") as [[string, string]];
    console.log(`      server: PostgreSQL ${version}`);
    assert.equal(Math.floor(Number(versionNumber) / 10000), VERIFIED_POSTGRES_MAJOR, `docs/locks.md says PostgreSQL ${VERIFIED_POSTGRES_MAJOR}; this server is ${version}`);
    postgres.createDatabase('lock_base');
    psqlOnce({ port: postgres.port, database: 'lock_base' }, BASE_SCHEMA);
  });

  after(() => postgres?.stop());

  /** A fresh copy of the base schema for one shape. */
  function freshDatabase(): Connection {
    const database = `lock_shape_${++databases}`;
    psqlOnce(admin, `CREATE DATABASE ${database} TEMPLATE lock_base`);
    return { port: postgres!.port, database };
  }

  for (const shape of LOCK_SHAPES) {
    it(`${shape.id}: ${shape.statement}`, async () => {
      const statements = scanSql(shape.statement);
      assert.equal(statements.length, 1);
      const effect = postgresStatementEffect(statements[0]!, VERIFIED_POSTGRES_MAJOR, shape.hints);
      assert.ok(effect, 'the model knows this statement');
      assert.notEqual(effect.work, 'unknown', 'every verified shape has a known table work');
      const connection = freshDatabase();
      try {
        const observation = await observe(connection, shape, effect.noTransaction);
        assert.deepEqual(disagreements(shape, effect, observation), [], `observed ${JSON.stringify(observation)}`);
      } finally {
        psqlOnce(admin, `DROP DATABASE ${connection.database}`);
      }
    });
  }

  it('the lock conflict table is PostgreSQL’s', async () => {
    const connection = { port: postgres!.port, database: 'lock_base' };
    const holder = new PsqlSession(connection);
    const requester = new PsqlSession(connection);
    const wrong: string[] = [];
    try {
      for (const held of LOCK_MODES) {
        await holder.query(`BEGIN; LOCK TABLE shop_customer IN ${held} MODE`);
        for (const requested of LOCK_MODES) {
          let conflict = false;
          try {
            await requester.query(`BEGIN; LOCK TABLE shop_customer IN ${requested} MODE NOWAIT`);
          } catch (error) {
            if (!(error instanceof SqlError) || !/could not obtain lock/.test(error.message)) throw error;
            conflict = true;
          }
          await requester.query('ROLLBACK');
          if (conflict !== lockModesConflict(held, requested)) wrong.push(`${held} vs ${requested}: PostgreSQL ${conflict ? 'conflicts' : 'does not conflict'}`);
        }
        await holder.query('ROLLBACK');
      }
    } finally {
      await requester.close();
      await holder.close();
    }
    assert.deepEqual(wrong, []);
  });

  it('the default-volatility lists match pg_proc', () => {
    const names = [...VOLATILE_POSTGRES_FUNCTIONS, ...NON_VOLATILE_POSTGRES_FUNCTIONS];
    const list = names.map((name) => `'${name}'`).join(', ');
    const found = new Map(psqlOnce(admin, `SELECT upper(proname), string_agg(DISTINCT provolatile::text, '') FROM pg_proc WHERE upper(proname) IN (${list}) GROUP BY 1`).map(([name, kinds]) => [name!, kinds!]));
    const wrong: string[] = [];
    for (const name of VOLATILE_POSTGRES_FUNCTIONS) if (found.get(name) !== 'v') wrong.push(`${name}: provolatile ${found.get(name) ?? 'missing'}, listed as volatile`);
    for (const name of NON_VOLATILE_POSTGRES_FUNCTIONS) if (!found.has(name) || found.get(name)!.includes('v')) wrong.push(`${name}: provolatile ${found.get(name) ?? 'missing'}, listed as non-volatile`);
    assert.deepEqual(wrong, []);
  });
});
