// What each Django migration operation does to the database, per vendor: the SQL Django emits, the lock it takes
// and what that lock blocks, whether the table is rewritten or scanned, and whether the code still running during a
// deploy keeps working. Editor-free data: the LSP hover shows it for every operation (flagged or not), and other
// front doors can print it too.
import type { Database } from './config/types';
import { ALL_RULES } from './rules/index';
import { RuleDispatch } from './rules/dispatch';
import type { RuleMeta } from './types';

/** Values a description may depend on. `table`/`column`/`name` are filled in when the operation's arguments tell them. */
export interface OperationDocContext {
  database: Database;
  postgresVersion: number;
  table?: string;
  column?: string;
  /** The index or constraint name. */
  name?: string;
}

type Text = string | ((context: OperationDocContext) => string);

interface VendorFacts {
  /** The SQL Django runs for the operation. */
  sql: Text;
  /** The lock taken and for how long. */
  lock: Text;
  /** What that lock blocks while held. */
  blocks: Text;
  /** Whether the table is rewritten or scanned. */
  rewrite: Text;
}

interface OperationDocData {
  /** One sentence: what the operation is for. */
  summary: string;
  /** Where the operation is imported from. */
  module: 'django.db.migrations' | 'django.contrib.postgres.operations';
  vendors: Record<Database, VendorFacts>;
  /** Whether code from the previous release, still serving traffic while `migrate` runs, keeps working. */
  oldCode: Text;
}

/** An operation's description resolved for one database, with the table and column names filled in. */
export interface OperationDoc {
  name: string;
  summary: string;
  module: string;
  database: Database;
  sql: string;
  lock: string;
  blocks: string;
  rewrite: string;
  oldCode: string;
  /**
   * The rules that inspect this operation (each rule declares its kinds, see Rule.operations), in the catalogue's order:
   * compatibility and locking first. The hover's review link opens the first one's card.
   */
  relatedRules: string[];
}

const AEL_QUEUE =
  'every read and write on the table while held; it also waits behind every running query on the table, and every query that arrives meanwhile queues behind it';

const AEL_BLOCKS_ALL = AEL_QUEUE.charAt(0).toUpperCase() + AEL_QUEUE.slice(1);

const POSTGRES_ONLY = (alternative: string): VendorFacts => ({
  sql: `Not supported: this operation comes from \`django.contrib.postgres.operations\` and only works on PostgreSQL. ${alternative}`,
  lock: '',
  blocks: '',
  rewrite: '',
});

const SQLITE_WRITE_LOCK = 'SQLite locks the whole database for writing until the migration commits';
const SQLITE_WRITERS = 'every other writer on the database; readers keep reading (in WAL mode)';
const SQLITE_REBUILD =
  'Django rebuilds the table: `CREATE TABLE "new__{table}"`, `INSERT INTO "new__{table}" SELECT ... FROM "{table}"`, `DROP TABLE "{table}"`, `ALTER TABLE "new__{table}" RENAME TO "{table}"`, then recreates the indexes';
const MYSQL_NOT_TRANSACTIONAL = 'MySQL commits every DDL statement at once: a migration that fails half way stays half applied.';

const OPERATIONS: Record<string, OperationDocData> = {
  AddField: {
    summary: 'Adds a column (or, for a ManyToManyField, a join table) to an existing model.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql:
          '`ALTER TABLE "{table}" ADD COLUMN "{column}" <type> [NOT] NULL`; with `default=` Django adds `DEFAULT <value>` and then runs `ALTER COLUMN "{column}" DROP DEFAULT` (before Django 5.0 defaults live in Python only; `db_default=` keeps one in the database). An indexed or unique field adds `CREATE INDEX` / `ADD CONSTRAINT ... UNIQUE`; a ForeignKey adds `ADD CONSTRAINT ... FOREIGN KEY ... DEFERRABLE INITIALLY DEFERRED` and an index.',
        lock:
          'ACCESS EXCLUSIVE on the table, brief (catalog only) for a nullable column or a constant default; a ForeignKey also takes SHARE ROW EXCLUSIVE on the referenced table, and an index build holds SHARE until it finishes.',
        blocks: `ACCESS EXCLUSIVE blocks ${AEL_QUEUE}. SHARE (index build) blocks INSERT, UPDATE and DELETE.`,
        rewrite: (c) =>
          c.postgresVersion >= 11
            ? 'No rewrite for a nullable column or a constant default (PostgreSQL 11+ keeps it in the catalog). A volatile `db_default` (`Now()`, `RandomUUID()`) or a stored generated column rewrites the whole table; an index, unique or foreign key scans it.'
            : `Rewrites the whole table when the column has a default: PostgreSQL ${c.postgresVersion} fills every row (version 11 and later keep a constant default in the catalog). A nullable column without a default is catalog only; an index, unique or foreign key scans the table.`,
      },
      mysql: {
        sql: '`ALTER TABLE {table} ADD COLUMN {column} <type> [NOT] NULL [DEFAULT <value>]`, then `ALTER COLUMN ... DROP DEFAULT` for a Python-side default; indexes and foreign keys as separate statements.',
        lock: 'A metadata lock, brief at the start and the end of the statement; InnoDB adds most columns with `ALGORITHM=INSTANT` (MySQL 8.0.12+), otherwise in place.',
        blocks: `Concurrent reads and writes continue during an in-place build, but the metadata lock waits behind long transactions and every query that arrives meanwhile queues behind it. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'No rewrite with ALGORITHM=INSTANT; an in-place add (older MySQL, or a column in the middle) rebuilds the table in the background.',
      },
      sqlite: {
        sql: `\`ALTER TABLE "{table}" ADD COLUMN "{column}" ...\` for a nullable column without a default; a NOT NULL, defaulted, unique or primary key column makes ${SQLITE_REBUILD}.`,
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'A nullable column without a default is a catalog change; otherwise the whole table is copied.',
      },
    },
    oldCode:
      'Reads keep working (old code never selects the new column). Old code\'s INSERTs omit the column: they fail on a NOT NULL column without a database default, because `default=` is applied by Python (before Django 5.0), not by the database. Add it nullable or with `db_default=`.',
  },

  RemoveField: {
    summary: 'Drops a column (or, for a ManyToManyField, its join table) and all the data in it.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`ALTER TABLE "{table}" DROP COLUMN "{column}" CASCADE`; a ForeignKey\'s constraint is dropped first, and the column\'s indexes go with it. A ManyToManyField drops its join table.',
        lock: 'ACCESS EXCLUSIVE on the table, brief (catalog only).',
        blocks: AEL_BLOCKS_ALL + '.',
        rewrite: 'No rewrite: the column is only marked as dropped and its space is reclaimed as rows are rewritten later. The data is gone for good.',
      },
      mysql: {
        sql: '`ALTER TABLE {table} DROP COLUMN {column}`, after dropping its foreign key.',
        lock: 'A metadata lock, brief; `ALGORITHM=INSTANT` on MySQL 8.0.29+, otherwise an in-place rebuild.',
        blocks: `Reads and writes continue during an in-place rebuild; the metadata lock queues behind long transactions. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'Instant on MySQL 8.0.29+; a full table rebuild on older versions.',
      },
      sqlite: {
        sql: `\`ALTER TABLE "{table}" DROP COLUMN "{column}"\` for a plain column (Django 4.1+ on SQLite 3.35.5+); an indexed, unique, primary key or foreign key column (or an older version) makes ${SQLITE_REBUILD}.`,
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'Usually a full copy of the table.',
      },
    },
    oldCode:
      'Breaks at once: Django selects every column a model declares, so the old code\'s queries on this model fail with "column does not exist" until the new code is live. Remove the field from the code first, then from the state with `SeparateDatabaseAndState`, and drop the column in a later release.',
  },

  AlterField: {
    summary: 'Changes a column to match a new field definition; what it does depends on what changed since the previous definition.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: 'Only the differences: a type change runs `ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE <type> USING ...`; `null` runs `SET NOT NULL` / `DROP NOT NULL`; `unique` runs `ADD CONSTRAINT ... UNIQUE`; `db_index` runs `CREATE INDEX` / `DROP INDEX`; `db_column` runs `RENAME COLUMN`. `help_text`, `verbose_name`, `choices`, `validators`, `blank` and a Python `default` produce no SQL at all.',
        lock: 'ACCESS EXCLUSIVE for every `ALTER COLUMN` form, held for the whole rewrite or scan; SHARE during an index build.',
        blocks: `ACCESS EXCLUSIVE blocks ${AEL_QUEUE}. SHARE blocks INSERT, UPDATE and DELETE.`,
        rewrite: 'A type change rewrites the table and all its indexes unless the types are binary compatible (varchar growth, varchar to text). `SET NOT NULL` scans the whole table (PostgreSQL 12+ skips the scan when a validated `CHECK (col IS NOT NULL)` exists). Adding `unique` or an index scans it.',
      },
      mysql: {
        sql: '`ALTER TABLE {table} MODIFY {column} <new definition>` (or `CHANGE` for a rename), plus index and constraint statements.',
        lock: 'A type change runs with `ALGORITHM=COPY`: writes are blocked for the whole copy; nullability changes rebuild the table in place.',
        blocks: `Writes to the table during a copy; the metadata lock queues behind long transactions. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'Most changes copy or rebuild the table; a few (growing a VARCHAR within the same length byte, extending an ENUM) are metadata only.',
      },
      sqlite: {
        sql: `${SQLITE_REBUILD}. Option-only changes (\`help_text\`, \`choices\`, ...) are skipped.`,
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'A full copy of the table.',
      },
    },
    oldCode:
      'Widening changes are safe. Narrowing a type, setting NOT NULL (old code may still write NULL) or changing `db_column` (old code selects the old column name) break the old code.',
  },

  RenameField: {
    summary: 'Renames a field and, unless `db_column` pins it, its column.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`ALTER TABLE "{table}" RENAME COLUMN "{column}" TO "<new name>"`; no SQL when `db_column` keeps the column name.',
        lock: 'ACCESS EXCLUSIVE on the table, brief (catalog only).',
        blocks: AEL_BLOCKS_ALL + '.',
        rewrite: 'No rewrite, no scan.',
      },
      mysql: {
        sql: '`ALTER TABLE {table} RENAME COLUMN {column} TO <new name>` (MySQL 8.0; `CHANGE` before).',
        lock: 'A metadata lock, brief; renaming is an instant or in-place metadata change.',
        blocks: `The metadata lock queues behind long transactions. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'No rewrite.',
      },
      sqlite: {
        sql: `\`ALTER TABLE "{table}" RENAME COLUMN "{column}" TO "<new name>"\` (SQLite 3.25+); older versions make ${SQLITE_REBUILD}.`,
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'No rewrite on SQLite 3.25+.',
      },
    },
    oldCode: 'Breaks at once: old code selects and inserts the old column name, which no longer exists.',
  },

  CreateModel: {
    summary: 'Creates a table for a new model, with its indexes and foreign keys.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`CREATE TABLE "{table}" (...)`, then `CREATE INDEX` for indexed fields and `ALTER TABLE "{table}" ADD CONSTRAINT ... FOREIGN KEY ... DEFERRABLE INITIALLY DEFERRED` for each relation.',
        lock: 'The new table is invisible to others until COMMIT; each foreign key takes SHARE ROW EXCLUSIVE on the referenced table, held until COMMIT in an atomic migration.',
        blocks: 'Writes to the referenced tables while their foreign keys are added (until COMMIT when the migration is atomic).',
        rewrite: 'None: the table is empty, so its indexes and constraints are instant.',
      },
      mysql: {
        sql: '`CREATE TABLE {table} (...)` with its indexes, then `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY` for each relation.',
        lock: 'Brief metadata locks on the referenced tables.',
        blocks: `Little: the metadata locks queue behind long transactions on the referenced tables. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'None.',
      },
      sqlite: {
        sql: '`CREATE TABLE "{table}" (...)` with inline foreign keys, then `CREATE INDEX` for indexed fields.',
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'None.',
      },
    },
    oldCode: 'Safe: old code does not know the new table. Operations later in the same migration on this model touch an empty table.',
  },

  DeleteModel: {
    summary: 'Drops a model\'s table and all its rows.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`DROP TABLE "{table}" CASCADE` (and the join tables of its ManyToManyFields), after dropping the foreign keys that point to it.',
        lock: 'ACCESS EXCLUSIVE on the table and on every table whose foreign keys reference it.',
        blocks: AEL_BLOCKS_ALL + ', on each of those tables.',
        rewrite: 'No rewrite. The data is gone for good.',
      },
      mysql: {
        sql: '`DROP TABLE {table}` after dropping the foreign keys that point to it.',
        lock: 'A metadata lock on the table and the referencing tables.',
        blocks: `Every query on those tables while it waits for and holds the metadata lock. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'No rewrite. The data is gone for good.',
      },
      sqlite: {
        sql: '`DROP TABLE "{table}"`.',
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'No rewrite. The data is gone for good.',
      },
    },
    oldCode: 'Breaks at once: every query the old code makes on this model fails. Remove all code that uses the model first, and drop the table in a later release.',
  },

  RenameModel: {
    summary: 'Renames a model and, unless `Meta.db_table` pins it, its table and the foreign key columns and join tables that refer to it.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`ALTER TABLE "{table}" RENAME TO "<new table>"` (no SQL when `db_table` keeps the name), plus renames of auto-created join tables and of the foreign key columns that point to it.',
        lock: 'ACCESS EXCLUSIVE on the table and on the referencing tables, brief (catalog only).',
        blocks: AEL_BLOCKS_ALL + '.',
        rewrite: 'No rewrite, no scan.',
      },
      mysql: {
        sql: '`RENAME TABLE {table} TO <new table>` plus the related renames.',
        lock: 'A metadata lock, brief.',
        blocks: `The metadata lock queues behind long transactions. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'No rewrite.',
      },
      sqlite: {
        sql: '`ALTER TABLE "{table}" RENAME TO "<new table>"` plus the related renames.',
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'No rewrite.',
      },
    },
    oldCode: 'Breaks at once: old code queries the old table name. Keep `Meta.db_table` pointing at the old table to rename only in Python.',
  },

  AlterModelTable: {
    summary: 'Changes a model\'s `Meta.db_table`, which renames its table.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`ALTER TABLE "<old table>" RENAME TO "{table}"`, plus renames of auto-created join tables.',
        lock: 'ACCESS EXCLUSIVE on the table, brief (catalog only).',
        blocks: AEL_BLOCKS_ALL + '.',
        rewrite: 'No rewrite, no scan.',
      },
      mysql: {
        sql: '`RENAME TABLE <old table> TO {table}`.',
        lock: 'A metadata lock, brief.',
        blocks: `The metadata lock queues behind long transactions. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'No rewrite.',
      },
      sqlite: {
        sql: '`ALTER TABLE "<old table>" RENAME TO "{table}"`.',
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'No rewrite.',
      },
    },
    oldCode: 'Breaks at once when the name changes: old code queries the old table name.',
  },

  AddIndex: {
    summary: 'Builds an index from `Meta.indexes` (plain, unique, partial, expression or a PostgreSQL index type).',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`CREATE INDEX "{name}" ON "{table}" (...)` (with `UNIQUE`, `USING gin/gist/brin`, `INCLUDE` or a `WHERE` condition as the Index says), inside the migration\'s transaction.',
        lock: 'SHARE on the table for the whole build (held until COMMIT in an atomic migration).',
        blocks: 'INSERT, UPDATE and DELETE on the table for the whole build; reads continue.',
        rewrite: 'No rewrite, but a full scan and sort of the table to build the index: minutes on a large table.',
      },
      mysql: {
        sql: '`CREATE INDEX {name} ON {table} (...)`.',
        lock: 'InnoDB builds it online (`ALGORITHM=INPLACE, LOCK=NONE`) with brief metadata locks at the start and the end.',
        blocks: `Reads and writes continue; the metadata locks queue behind long transactions. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'No rewrite; a full scan of the table.',
      },
      sqlite: {
        sql: '`CREATE INDEX "{name}" ON "{table}" (...)`.',
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'A full scan of the table.',
      },
    },
    oldCode: 'Safe: an index changes no query result.',
  },

  RemoveIndex: {
    summary: 'Drops an index from `Meta.indexes`.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`DROP INDEX "{name}"`.',
        lock: 'ACCESS EXCLUSIVE on the table, brief.',
        blocks: AEL_BLOCKS_ALL + '.',
        rewrite: 'No rewrite, no scan.',
      },
      mysql: {
        sql: '`DROP INDEX {name} ON {table}`.',
        lock: 'A metadata lock, brief; dropping an index is an in-place metadata change.',
        blocks: `The metadata lock queues behind long transactions. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'No rewrite.',
      },
      sqlite: {
        sql: '`DROP INDEX "{name}"`.',
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'No rewrite.',
      },
    },
    oldCode: 'Safe, though the queries that used the index get slower.',
  },

  AddIndexConcurrently: {
    summary: 'Builds an index without blocking writes (PostgreSQL only; the migration must set `atomic = False`).',
    module: 'django.contrib.postgres.operations',
    vendors: {
      postgresql: {
        sql: '`CREATE INDEX CONCURRENTLY "{name}" ON "{table}" (...)`, which cannot run inside a transaction: the migration needs `atomic = False`.',
        lock: 'SHARE UPDATE EXCLUSIVE on the table.',
        blocks: 'Neither reads nor writes. It waits for transactions that started before it, and blocks other schema changes and VACUUM on the table while it runs.',
        rewrite: 'No rewrite; two scans of the table, slower than a plain build. A failure leaves an INVALID index to drop before retrying.',
      },
      mysql: POSTGRES_ONLY('Use `AddIndex`: MySQL builds indexes online already.'),
      sqlite: POSTGRES_ONLY('Use `AddIndex`.'),
    },
    oldCode: 'Safe: an index changes no query result.',
  },

  RemoveIndexConcurrently: {
    summary: 'Drops an index without blocking reads or writes (PostgreSQL only; the migration must set `atomic = False`).',
    module: 'django.contrib.postgres.operations',
    vendors: {
      postgresql: {
        sql: '`DROP INDEX CONCURRENTLY "{name}"`, which cannot run inside a transaction: the migration needs `atomic = False`.',
        lock: 'SHARE UPDATE EXCLUSIVE on the table.',
        blocks: 'Neither reads nor writes; it waits for the transactions that use the table to finish.',
        rewrite: 'No rewrite, no scan.',
      },
      mysql: POSTGRES_ONLY('Use `RemoveIndex`.'),
      sqlite: POSTGRES_ONLY('Use `RemoveIndex`.'),
    },
    oldCode: 'Safe, though the queries that used the index get slower.',
  },

  AddConstraint: {
    summary: 'Adds a CHECK, UNIQUE or exclusion constraint from `Meta.constraints` and validates every existing row.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`ALTER TABLE "{table}" ADD CONSTRAINT "{name}" CHECK (...)` / `UNIQUE (...)` / `EXCLUDE USING ...`; a UniqueConstraint with a condition, expressions or `include` becomes `CREATE UNIQUE INDEX`.',
        lock: 'ACCESS EXCLUSIVE on the table while the existing rows are checked and any index is built (SHARE for a `CREATE UNIQUE INDEX`).',
        blocks: `ACCESS EXCLUSIVE blocks ${AEL_QUEUE}. SHARE blocks INSERT, UPDATE and DELETE.`,
        rewrite: 'No rewrite, but a full scan to validate the existing rows (and an index build for UNIQUE and EXCLUDE); it fails if any row violates the constraint.',
      },
      mysql: {
        sql: '`ALTER TABLE {table} ADD CONSTRAINT {name} CHECK (...)` / `UNIQUE (...)`.',
        lock: 'A CHECK constraint (MySQL 8.0.16+) copies the table (`ALGORITHM=COPY`); a UNIQUE index is built online.',
        blocks: `Writes during a copy; the metadata locks queue behind long transactions. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'A CHECK copies the table; UNIQUE scans it and fails on duplicates.',
      },
      sqlite: {
        sql: `${SQLITE_REBUILD} with the constraint (a UniqueConstraint with a condition, expressions or \`include\` becomes \`CREATE UNIQUE INDEX\` instead).`,
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'A full copy of the table.',
      },
    },
    oldCode: 'Old code keeps working unless it writes rows that violate the new constraint; those writes now fail.',
  },

  RemoveConstraint: {
    summary: 'Drops a constraint from `Meta.constraints`.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`ALTER TABLE "{table}" DROP CONSTRAINT "{name}"` (`DROP INDEX` for a constraint that was created as a unique index).',
        lock: 'ACCESS EXCLUSIVE on the table, brief (held until COMMIT in an atomic migration).',
        blocks: AEL_BLOCKS_ALL + '.',
        rewrite: 'No rewrite, no scan.',
      },
      mysql: {
        sql: '`ALTER TABLE {table} DROP CHECK {name}` / `DROP INDEX {name}`.',
        lock: 'A metadata lock, brief.',
        blocks: `The metadata lock queues behind long transactions. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'No rewrite.',
      },
      sqlite: {
        sql: `${SQLITE_REBUILD} without the constraint (\`DROP INDEX\` for a unique index).`,
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'Usually a full copy of the table.',
      },
    },
    oldCode: 'Safe: removing a constraint makes no old write fail.',
  },

  AddConstraintNotValid: {
    summary: 'Adds a CHECK constraint that only new and updated rows must satisfy (PostgreSQL only, Django 4.1+).',
    module: 'django.contrib.postgres.operations',
    vendors: {
      postgresql: {
        sql: '`ALTER TABLE "{table}" ADD CONSTRAINT "{name}" CHECK (...) NOT VALID`.',
        lock: 'ACCESS EXCLUSIVE on the table, brief (catalog only).',
        blocks: AEL_BLOCKS_ALL + ', for a moment.',
        rewrite: 'No rewrite, no scan: existing rows are not checked until `ValidateConstraint` runs.',
      },
      mysql: POSTGRES_ONLY('Use `AddConstraint`.'),
      sqlite: POSTGRES_ONLY('Use `AddConstraint`.'),
    },
    oldCode: 'Old code keeps working unless it writes rows that violate the constraint; existing rows are left alone.',
  },

  ValidateConstraint: {
    summary: 'Checks the existing rows against a constraint added with `NOT VALID` (PostgreSQL only, Django 4.1+).',
    module: 'django.contrib.postgres.operations',
    vendors: {
      postgresql: {
        sql: '`ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"`.',
        lock: 'SHARE UPDATE EXCLUSIVE on the table.',
        blocks: 'Neither reads nor writes (only other schema changes and VACUUM). Run it in a later migration than the `NOT VALID` step, or the earlier ACCESS EXCLUSIVE is still held.',
        rewrite: 'No rewrite; a full scan of the table. It fails if a row violates the constraint.',
      },
      mysql: POSTGRES_ONLY('MySQL has no NOT VALID constraints.'),
      sqlite: POSTGRES_ONLY('SQLite has no NOT VALID constraints.'),
    },
    oldCode: 'Safe.',
  },

  AlterUniqueTogether: {
    summary: 'Changes `Meta.unique_together`: adds a UNIQUE constraint for each new set of fields and drops the removed ones.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`ALTER TABLE "{table}" ADD CONSTRAINT "{name}_uniq" UNIQUE (...)` for each new set, `DROP CONSTRAINT` for each removed one.',
        lock: 'ACCESS EXCLUSIVE on the table while each unique index is built.',
        blocks: AEL_BLOCKS_ALL + '.',
        rewrite: 'No rewrite; a scan and an index build per new set, which fails on duplicate rows.',
      },
      mysql: {
        sql: '`ALTER TABLE {table} ADD CONSTRAINT `{name}_uniq` UNIQUE (...)` / `DROP INDEX`.',
        lock: 'The unique index is built online with brief metadata locks.',
        blocks: `Reads and writes continue; the metadata locks queue behind long transactions. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'No rewrite; a scan per new set, which fails on duplicates.',
      },
      sqlite: {
        sql: '`CREATE UNIQUE INDEX` for each new set, `DROP INDEX` for each removed one.',
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'A scan per new set, which fails on duplicates.',
      },
    },
    oldCode: 'Old code keeps working unless it writes duplicates, which now fail.',
  },

  AlterIndexTogether: {
    summary: 'Changes `Meta.index_together` (deprecated in Django 4.2, removed in 5.1: use `Meta.indexes` and `AddIndex`).',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: '`CREATE INDEX "{name}_idx" ON "{table}" (...)` for each new set, `DROP INDEX` for each removed one.',
        lock: 'SHARE on the table for each index build; ACCESS EXCLUSIVE, brief, for each drop.',
        blocks: 'INSERT, UPDATE and DELETE during each build; everything, briefly, during a drop.',
        rewrite: 'No rewrite; a full scan per new index.',
      },
      mysql: {
        sql: '`CREATE INDEX` / `DROP INDEX` per set.',
        lock: 'Built online with brief metadata locks.',
        blocks: `Reads and writes continue. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'No rewrite; a scan per new index.',
      },
      sqlite: {
        sql: '`CREATE INDEX` / `DROP INDEX` per set.',
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'A scan per new index.',
      },
    },
    oldCode: 'Safe: indexes change no query result.',
  },

  RunSQL: {
    summary: 'Runs hand-written SQL (a string, a list, or `(sql, params)` tuples) and optionally declares `state_operations`.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: 'Exactly the SQL given, statement by statement, inside the migration\'s transaction when it is atomic. Without `reverse_sql` the migration cannot be unapplied.',
        lock: 'Whatever each statement takes (`ALTER TABLE`: mostly ACCESS EXCLUSIVE; `CREATE INDEX`: SHARE; DML: row locks), all held until COMMIT in an atomic migration.',
        blocks: 'Depends on the statements; an ACCESS EXCLUSIVE lock blocks every read and write and queues the queries behind it. `SET lock_timeout` first keeps a blocked ALTER from stalling the site.',
        rewrite: 'Depends on the statements (`ALTER COLUMN TYPE` rewrites, `VALIDATE` and `SET NOT NULL` scan, `UPDATE` touches every matched row).',
      },
      mysql: {
        sql: 'Exactly the SQL given, statement by statement.',
        lock: 'Whatever each statement takes; DDL takes metadata locks.',
        blocks: `Depends on the statements. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'Depends on the statements.',
      },
      sqlite: {
        sql: 'Exactly the SQL given, statement by statement.',
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'Depends on the statements.',
      },
    },
    oldCode: 'Depends on the SQL. Django\'s model state does not change unless `state_operations` says so, so the next `makemigrations` may try to repeat the change.',
  },

  RunPython: {
    summary: 'Runs a Python function (usually a data migration) with historical models from `apps.get_model`.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: 'No SQL of its own: the queries the function makes (often one per row) run inside the migration\'s transaction when it is atomic. Without `reverse_code` the migration cannot be unapplied.',
        lock: 'Row locks from every UPDATE and DELETE, held until COMMIT; locks taken by earlier operations of the same atomic migration stay held while it runs.',
        blocks: 'Writes to every row it touched until COMMIT, and whatever an earlier ALTER in the same migration locked (often the whole table).',
        rewrite: 'A backfill writes a new version of every row it updates: table bloat, WAL volume and replication lag in proportion.',
      },
      mysql: {
        sql: 'No SQL of its own: the function\'s queries run in a transaction when the migration is atomic.',
        lock: 'Row locks from every UPDATE and DELETE, held until COMMIT.',
        blocks: `Writes to the rows it touched. ${MYSQL_NOT_TRANSACTIONAL}`,
        rewrite: 'A backfill touches every row it updates.',
      },
      sqlite: {
        sql: 'No SQL of its own: the function\'s queries run in the migration\'s transaction.',
        lock: SQLITE_WRITE_LOCK,
        blocks: SQLITE_WRITERS,
        rewrite: 'A backfill touches every row it updates.',
      },
    },
    oldCode: 'Depends on the data change. Use historical models (`apps.get_model("app", "Model")`), never imports from `models.py`, which describe the newest schema.',
  },

  SeparateDatabaseAndState: {
    summary: 'Runs `database_operations` against the database and applies `state_operations` to Django\'s model state only.',
    module: 'django.db.migrations',
    vendors: {
      postgresql: {
        sql: 'Only the `database_operations` (none when the list is empty); `state_operations` run no SQL at all.',
        lock: 'Whatever the `database_operations` take; none for a state-only change.',
        blocks: 'Nothing for a state-only change.',
        rewrite: 'Depends on the `database_operations`; none for a state-only change.',
      },
      mysql: {
        sql: 'Only the `database_operations`; `state_operations` run no SQL.',
        lock: 'Whatever the `database_operations` take.',
        blocks: 'Nothing for a state-only change.',
        rewrite: 'Depends on the `database_operations`.',
      },
      sqlite: {
        sql: 'Only the `database_operations`; `state_operations` run no SQL.',
        lock: 'Whatever the `database_operations` take.',
        blocks: 'Nothing for a state-only change.',
        rewrite: 'Depends on the `database_operations`.',
      },
    },
    oldCode: 'A state-only `RemoveField` or `DeleteModel` is the safe first step: the column or table stays for the old code, and a later release drops it.',
  },
};

/** Names of every documented operation. */
export const DOCUMENTED_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

/** The description of an operation for one database, or undefined for an operation this file does not know. */
export function describeOperation(name: string, context: OperationDocContext): OperationDoc | undefined {
  if (!Object.prototype.hasOwnProperty.call(OPERATIONS, name)) return undefined;
  const data = OPERATIONS[name]!;
  const facts = data.vendors[context.database];
  const resolve = (text: Text): string => fillPlaceholders(typeof text === 'function' ? text(context) : text, context);
  return {
    name,
    summary: data.summary,
    module: data.module,
    database: context.database,
    sql: resolve(facts.sql),
    lock: resolve(facts.lock),
    blocks: resolve(facts.blocks),
    rewrite: resolve(facts.rewrite),
    oldCode: resolve(data.oldCode),
    relatedRules: relatedRules(name),
  };
}

let rulesByOperation: RuleDispatch<RuleMeta> | undefined;

/**
 * Ids of the rules whose declared operation kinds include this one, most specific first: a rule about this kind alone
 * before one about several, a rule over every operation last; ties keep the catalogue's order.
 */
export function relatedRules(name: string, rules: readonly RuleMeta[] = ALL_RULES): string[] {
  const dispatch = rules === ALL_RULES ? (rulesByOperation ??= new RuleDispatch(ALL_RULES, (rule) => rule.operations)) : new RuleDispatch(rules, (rule) => rule.operations);
  const module = Object.prototype.hasOwnProperty.call(OPERATIONS, name) ? OPERATIONS[name]!.module : 'django.db.migrations';
  const related = dispatch.rulesFor({ name, qualifiedName: `${module}.${name}` });
  return [...related].sort((a, b) => breadth(a) - breadth(b)).map((rule) => rule.id);
}

/** How many kinds a rule inspects (a predicate counts as every kind). */
function breadth(rule: RuleMeta): number {
  const kinds = rule.operations;
  return typeof kinds === 'function' ? Infinity : kinds?.length ?? Infinity;
}

function fillPlaceholders(text: string, context: OperationDocContext): string {
  return text.replace(/\{(table|column|name)\}/g, (_, key: 'table' | 'column' | 'name') => context[key] ?? `<${key}>`);
}
