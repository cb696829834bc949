// The constraint and index names that exist in the database, per table, as the migrations left them. Django's
// schema editor finds what to drop by introspecting these (`_constraint_names`), and their names depend on
// history: PostgreSQL names an inline UNIQUE `<table>_<column>_key` after the table's name at that moment, Django
// names the ones it adds later with a digest, and neither is renamed when the table or column is.
import { PersistentStringMap } from '../../state/persistentMap';

export type ConstraintKind = 'pk' | 'unique' | 'check' | 'fk' | 'index';

export interface PhysicalConstraint {
  name: string;
  kind: ConstraintKind;
  columns: string[];
  /** For indexes: a unique index (CREATE UNIQUE INDEX). */
  unique?: boolean;
  /** For indexes: built with the default btree method (what `type_=Index.suffix` matches). */
  btree?: boolean;
}

export interface ConstraintQuery {
  columns?: readonly string[];
  unique?: boolean;
  primaryKey?: boolean;
  index?: boolean;
  foreignKey?: boolean;
  check?: boolean;
  btree?: boolean;
  exclude?: ReadonlySet<string>;
}

/** One table's constraints in creation order; immutable, so snapshots share it. */
export class PhysicalTable {
  constructor(private readonly items: readonly PhysicalConstraint[] = []) {}

  get constraints(): readonly PhysicalConstraint[] {
    return this.items;
  }

  with(constraint: PhysicalConstraint): PhysicalTable {
    return new PhysicalTable([...this.items, constraint]);
  }

  without(name: string): PhysicalTable {
    if (!this.items.some((constraint) => constraint.name === name)) return this;
    return new PhysicalTable(this.items.filter((constraint) => constraint.name !== name));
  }

  renamingConstraint(from: string, to: string): PhysicalTable {
    return new PhysicalTable(this.items.map((constraint) => (constraint.name === from ? { ...constraint, name: to } : constraint)));
  }

  renamingColumn(from: string, to: string): PhysicalTable {
    return new PhysicalTable(this.items.map((constraint) => (constraint.columns.includes(from) ? { ...constraint, columns: constraint.columns.map((column) => (column === from ? to : column)) } : constraint)));
  }

  withoutColumn(column: string): PhysicalTable {
    // PostgreSQL drops every constraint and index involving a dropped column (DROP COLUMN ... CASCADE).
    return new PhysicalTable(this.items.filter((constraint) => !constraint.columns.includes(column)));
  }

  /**
   * `_constraint_names` on PostgreSQL: constraints (pg_constraint) first, then indexes that are not constraints,
   * each in creation order, filtered like Django's introspection (a unique constraint is not an `index`).
   */
  names(query: ConstraintQuery): string[] {
    const result: string[] = [];
    for (const pass of [false, true]) {
      for (const constraint of this.items) {
        const isIndex = constraint.kind === 'index';
        if (isIndex !== pass) continue;
        if (query.columns && !sameColumns(query.columns, constraint.columns)) continue;
        const unique = constraint.kind === 'pk' || constraint.kind === 'unique' || (isIndex && constraint.unique === true);
        if (query.unique !== undefined && unique !== query.unique) continue;
        if (query.primaryKey !== undefined && (constraint.kind === 'pk') !== query.primaryKey) continue;
        if (query.index !== undefined && isIndex !== query.index) continue;
        if (query.check !== undefined && (constraint.kind === 'check') !== query.check) continue;
        if (query.foreignKey && constraint.kind !== 'fk') continue;
        if (query.btree !== undefined && (!isIndex || (constraint.btree ?? true) !== query.btree)) continue;
        if (query.exclude?.has(constraint.name)) continue;
        result.push(constraint.name);
      }
    }
    return result;
  }
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((column, index) => column === b[index]);
}

/** Every table's constraints, in a persistent map: `snapshot()` is O(1) and later writes do not change it. */
export class PhysicalSchema {
  constructor(private tables: PersistentStringMap<PhysicalTable> = PersistentStringMap.empty<PhysicalTable>()) {}

  snapshot(): PhysicalSchema {
    return new PhysicalSchema(this.tables);
  }

  table(name: string): PhysicalTable {
    return this.tables.get(name) ?? EMPTY_TABLE;
  }

  update(name: string, change: (table: PhysicalTable) => PhysicalTable): void {
    this.tables = this.tables.set(name, change(this.table(name)));
  }

  drop(name: string): void {
    this.tables = this.tables.delete(name);
  }

  rename(from: string, to: string): void {
    const table = this.tables.get(from);
    this.tables = this.tables.delete(from);
    if (table) this.tables = this.tables.set(to, table);
  }
}

const EMPTY_TABLE = new PhysicalTable();

/**
 * Introspection without the history's SQL: each query finds the one constraint the replayed state says is there,
 * under a placeholder name. The schema editor then emits Django's statements for one migration on its own (the same
 * kinds, on the same tables, with the same locks), without generating every migration before it; only the names of
 * constraints it drops are not Django's. What the rules read for locks; never what `sql` or the hover print.
 */
export class EstimatedSchema extends PhysicalSchema {
  override snapshot(): PhysicalSchema {
    return this;
  }

  override table(name: string): PhysicalTable {
    return new EstimatedTable(name);
  }

  override update(): void {}

  override drop(): void {}

  override rename(): void {}
}

class EstimatedTable extends PhysicalTable {
  constructor(private readonly tableName: string) {
    super();
  }

  override names(query: ConstraintQuery): string[] {
    const kind = query.primaryKey ? 'pkey' : query.foreignKey ? 'fkey' : query.check ? 'check' : query.unique ? 'key' : query.index ? 'idx' : 'constraint';
    return [`<${this.tableName}${query.columns ? `_${query.columns.join('_')}` : ''}_${kind}>`];
  }
}
