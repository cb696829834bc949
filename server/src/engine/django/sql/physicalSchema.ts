// The constraint and index names that exist in the database, per table, as the migrations left them. Django's
// schema editor finds what to drop by introspecting these (`_constraint_names`), and their names depend on
// history: PostgreSQL names an inline UNIQUE `<table>_<column>_key` after the table's name at that moment, Django
// names the ones it adds later with a digest, and neither is renamed when the table or column is.

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

/** One table's constraints in creation order; copied on write so snapshots can share unchanged tables. */
export class PhysicalTable {
  constructor(readonly constraints: readonly PhysicalConstraint[] = []) {}

  with(constraint: PhysicalConstraint): PhysicalTable {
    return new PhysicalTable([...this.constraints, constraint]);
  }

  without(name: string): PhysicalTable {
    return new PhysicalTable(this.constraints.filter((constraint) => constraint.name !== name));
  }

  renamingColumn(from: string, to: string): PhysicalTable {
    return new PhysicalTable(this.constraints.map((constraint) => (constraint.columns.includes(from) ? { ...constraint, columns: constraint.columns.map((column) => (column === from ? to : column)) } : constraint)));
  }

  withoutColumn(column: string): PhysicalTable {
    // PostgreSQL drops every constraint and index involving a dropped column (DROP COLUMN ... CASCADE).
    return new PhysicalTable(this.constraints.filter((constraint) => !constraint.columns.includes(column)));
  }

  /**
   * `_constraint_names` on PostgreSQL: constraints (pg_constraint) first, then indexes that are not constraints,
   * each in creation order, filtered like Django's introspection (a unique constraint is not an `index`).
   */
  names(query: ConstraintQuery): string[] {
    const ordered = [...this.constraints.filter((c) => c.kind !== 'index'), ...this.constraints.filter((c) => c.kind === 'index')];
    const result: string[] = [];
    for (const constraint of ordered) {
      if (query.columns && !sameColumns(query.columns, constraint.columns)) continue;
      const isIndex = constraint.kind === 'index';
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
    return result;
  }
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((column, index) => column === b[index]);
}

/** Every table's constraints; `snapshot()` is O(tables) and later writes do not change it. */
export class PhysicalSchema {
  private tables: Map<string, PhysicalTable>;

  constructor(tables?: ReadonlyMap<string, PhysicalTable>) {
    this.tables = new Map(tables);
  }

  snapshot(): PhysicalSchema {
    return new PhysicalSchema(this.tables);
  }

  table(name: string): PhysicalTable {
    return this.tables.get(name) ?? EMPTY_TABLE;
  }

  update(name: string, change: (table: PhysicalTable) => PhysicalTable): void {
    this.tables.set(name, change(this.table(name)));
  }

  drop(name: string): void {
    this.tables.delete(name);
  }

  rename(from: string, to: string): void {
    const table = this.tables.get(from);
    this.tables.delete(from);
    if (table) this.tables.set(to, table);
  }
}

const EMPTY_TABLE = new PhysicalTable();
