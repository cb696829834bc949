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

/**
 * One table's constraints in creation order. Mutable until a snapshot freezes it; a frozen table is copied on its
 * next change (once per table per migration), so a migration adding hundreds of indexes to one table stays linear.
 */
export class PhysicalTable {
  frozen = false;

  constructor(private items: PhysicalConstraint[] = []) {}

  get constraints(): readonly PhysicalConstraint[] {
    return this.items;
  }

  /** A mutable copy (or this table, when it is not shared with a snapshot). */
  writable(): PhysicalTable {
    return this.frozen ? new PhysicalTable([...this.items]) : this;
  }

  with(constraint: PhysicalConstraint): PhysicalTable {
    const table = this.writable();
    table.items.push(constraint);
    return table;
  }

  without(name: string): PhysicalTable {
    if (!this.items.some((constraint) => constraint.name === name)) return this;
    const table = this.writable();
    table.items = table.items.filter((constraint) => constraint.name !== name);
    return table;
  }

  renamingColumn(from: string, to: string): PhysicalTable {
    const table = this.writable();
    table.items = table.items.map((constraint) => (constraint.columns.includes(from) ? { ...constraint, columns: constraint.columns.map((column) => (column === from ? to : column)) } : constraint));
    return table;
  }

  withoutColumn(column: string): PhysicalTable {
    // PostgreSQL drops every constraint and index involving a dropped column (DROP COLUMN ... CASCADE).
    const table = this.writable();
    table.items = table.items.filter((constraint) => !constraint.columns.includes(column));
    return table;
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

/** Every table's constraints; `snapshot()` is O(tables) and later writes do not change it. */
export class PhysicalSchema {
  private tables: Map<string, PhysicalTable>;

  constructor(tables?: ReadonlyMap<string, PhysicalTable>) {
    this.tables = new Map(tables);
  }

  /** A copy that later changes to this schema do not affect (tables are frozen and copied on their next write). */
  snapshot(): PhysicalSchema {
    for (const table of this.tables.values()) table.frozen = true;
    return new PhysicalSchema(this.tables);
  }

  table(name: string): PhysicalTable {
    return this.tables.get(name) ?? new PhysicalTable();
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


