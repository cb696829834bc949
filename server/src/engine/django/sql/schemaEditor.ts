// Django's schema editor (django/db/backends/base/schema.py and postgresql/schema.py, Django 3.2 with the
// differences of later versions where they change the SQL), re-implemented over the replayed state: each method
// emits the statements `sqlmigrate` prints, in the same order, with Django's quoting and generated names, and keeps
// the physical schema (the constraint names that introspection would find) up to date.
import type { Database } from '../../config/types';
import type { StatementHints } from '../../sql/locks';
import { compareColumnTypes, type ColumnType } from '../columns';
import type { Expr, Operation } from '../../python/model';
import { calleeName, stringValue } from '../operations';
import { syntheticList, syntheticString, syntheticTuple } from '../../python/syntheticExpr';
import { createIndexName, foreignKeyName, postgresObjectName, quoteName } from './names';
import type { PhysicalConstraint, PhysicalSchema, PhysicalTable } from './physicalSchema';
import {
  dbParams,
  fieldNamed,
  hasDbConstraint,
  isAutoCreatedManyToMany,
  isDbIndex,
  isManaged,
  isNull,
  isPrimary,
  isUniqueField,
  relationTargetField,
  throughModel,
  togetherSets,
  versionAtLeast,
  type ModelLookup,
  type SchemaOptions,
  type SqlField,
  type SqlModel,
} from './tables';
import { compileQ, dbDefaultSql, effectiveDefaultSql, type SqlValue } from './values';

export interface EmittedStatement {
  sql: string;
  /** The top-level operation that emitted it. */
  operation?: Operation;
  /** Deferred by Django to the end of the migration (foreign keys and indexes of new tables and columns). */
  deferred?: boolean;
  /** Holds a value Django computes when the migration runs (a callable default): the text is a placeholder. */
  computed?: boolean;
  /** What the editor knows that the SQL does not say (whether a type change rewrites, an index's table). */
  hints?: StatementHints;
}

/**
 * Thrown when a statement depends on something the static model does not know (a custom field's type...). Not an
 * Error: it is an expected outcome thrown thousands of times on big projects, and a stack trace costs.
 */
export class UnknownSql {
  constructor(readonly message: string) {}
}

interface Deferred {
  operation?: Operation;
  tables: string[];
  columns: { table: string; column: string }[];
  render: () => string;
  apply: (schema: PhysicalSchema) => void;
  renameTable: (from: string, to: string) => void;
  renameColumn: (table: string, from: string, to: string) => void;
}

/** The part of Django's Index/constraint classes the editor reads. */
interface IndexSpec {
  name: string;
  fields: { name: string; descending: boolean }[];
  opclasses: string[];
  condition?: Expr;
  include: string[];
  /** `USING gin` for the django.contrib.postgres index classes. */
  method?: string;
}

const NON_DATABASE_ATTRS = ['blank', 'db_column', 'editable', 'error_messages', 'help_text', 'limit_choices_to', 'on_delete', 'related_name', 'related_query_name', 'validators', 'verbose_name'];
/**
 * Django 4.1 made `choices` a non-database attribute (Field.non_db_attrs); nothing else was added. A changed
 * `default`, `serialize` or `db_comment` still alters the field: no statement on PostgreSQL (a foreign key's
 * constraint is dropped and re-added, as for any alteration), a table rebuild on SQLite (checked on Django 3.2).
 */
const NON_DATABASE_ATTRS_4_1 = [...NON_DATABASE_ATTRS, 'choices'];
const POSTGRES_INDEX_METHODS: Record<string, string> = { GinIndex: 'gin', GistIndex: 'gist', BrinIndex: 'brin', HashIndex: 'hash', SpGistIndex: 'spgist', BloomIndex: 'bloom', BTreeIndex: 'btree' };

export class SchemaEditor {
  readonly statements: EmittedStatement[] = [];
  private deferred: Deferred[] = [];
  operation?: Operation;

  /** Models the current operation creates or renames, found before the replayed state (which holds the old ones). */
  readonly overrides = new Map<string, SqlModel>();
  /**
   * SQLite: in the migration's first field operation Django's rebuilt table lists the new or altered field right
   * after the auto-created ones (its creation counter is older than the re-rendered state's); later, last.
   */
  opFieldFirst = false;

  /**
   * What introspection sees: sqlmigrate collects without executing, so Django finds the constraints that existed
   * when the migration started (not those an earlier operation of the same migration would have made).
   */
  private readonly introspected: PhysicalSchema;

  constructor(
    readonly schema: PhysicalSchema,
    readonly options: SchemaOptions,
    /** Finds models of the state the current operation sees; set per operation. */
    public stateLookup: ModelLookup,
    /** Every model of the state the current operation sees (for the relations that point at a model). */
    public allModels: () => SqlModel[],
  ) {
    this.introspected = schema.snapshot();
  }

  private readonly lookup: ModelLookup = (app, key) => this.overrides.get(`${app}.${key}`) ?? this.stateLookup(app, key);

  private get database(): Database {
    return this.options.database;
  }

  private q(name: string): string {
    return quoteName(name, this.database);
  }

  execute(sql: string, value?: SqlValue, hints?: StatementHints): void {
    const statement: EmittedStatement = { sql: sql.endsWith(';') ? sql : `${sql};` };
    if (this.operation) statement.operation = this.operation;
    if (value?.computed) statement.computed = true;
    if (hints) statement.hints = hints;
    this.statements.push(statement);
  }

  /** Runs the deferred statements (the schema editor's __exit__). */
  flush(): void {
    for (const item of this.deferred) {
      const statement: EmittedStatement = { sql: `${item.render()};`, deferred: true };
      if (item.operation) statement.operation = item.operation;
      this.statements.push(statement);
      item.apply(this.schema);
    }
    this.deferred = [];
  }

  private defer(table: string, columns: string[], render: (table: string, columns: string[]) => string, apply: (schema: PhysicalSchema, table: string, columns: string[]) => void, extraTables: string[] = []): void {
    let currentTable = table;
    let currentColumns = [...columns];
    const tables = [table, ...extraTables];
    const item: Deferred = {
      tables,
      get columns() {
        return currentColumns.map((column) => ({ table: currentTable, column }));
      },
      render: () => render(currentTable, currentColumns),
      apply: (schema) => apply(schema, currentTable, currentColumns),
      renameTable: (from, to) => {
        if (currentTable === from) currentTable = to;
        for (let i = 0; i < tables.length; i++) if (tables[i] === from) tables[i] = to;
      },
      renameColumn: (onTable, from, to) => {
        if (currentTable === onTable) currentColumns = currentColumns.map((column) => (column === from ? to : column));
      },
    };
    if (this.operation) item.operation = this.operation;
    this.deferred.push(item);
  }

  // --- columns ---------------------------------------------------------------------------------------------------

  private columnSql(model: SqlModel, field: SqlField, includeDefault: boolean): { sql: string; defaultValue?: SqlValue } {
    const params = dbParams(model, field, this.lookup, this.options);
    if (params.type === undefined) throw new UnknownSql(`the column type of ${model.name}.${field.name}`);
    let sql = params.type;
    const collation = stringValue(field.def.kwargs['db_collation']);
    if (collation) sql += ` COLLATE ${this.q(collation)}`;
    const result: { sql: string; defaultValue?: SqlValue } = { sql };
    const dbDefault = field.def.kwargs['db_default'];
    if (dbDefault && dbDefault.kind !== 'none') {
      // Django 5.0+: the default lives in the database (db_default_sql), and no Python default is added or dropped.
      if (!this.djangoAtLeast('5.0')) throw new UnknownSql('db_default on a Django version before 5.0');
      const value = dbDefaultSql(dbDefault, field.def, this.database);
      if (!value) throw new UnknownSql(`the db_default ${dbDefault.text}`);
      sql += ` DEFAULT ${value}`;
      includeDefault = false;
    }
    if (includeDefault) {
      const value = effectiveDefaultSql(field.def, this.database);
      if (value === null) throw new UnknownSql(`the default of ${model.name}.${field.name}`);
      if (value) {
        sql += ` DEFAULT ${value.sql}`;
        result.defaultValue = value;
      }
    }
    const nullable = this.flag(isNull(field.def), 'null', field);
    sql += nullable ? ' NULL' : ' NOT NULL';
    if (this.flag(isPrimary(field.def), 'primary_key', field)) sql += ' PRIMARY KEY';
    else if (this.flag(isUniqueField(field.def), 'unique', field)) sql += ' UNIQUE';
    result.sql = sql;
    return result;
  }

  private flag(value: boolean | undefined, name: string, field: SqlField): boolean {
    if (value === undefined) throw new UnknownSql(`${name} of ${field.name}`);
    return value;
  }

  private column(field: SqlField): string {
    if (field.column === undefined) throw new UnknownSql(`the column of ${field.name}`);
    return field.column;
  }

  private field(model: SqlModel, name: string): SqlField {
    const field = fieldNamed(model, name);
    if (!field) throw new UnknownSql(`field ${name} of ${model.name}`);
    return field;
  }

  // --- create / delete models ------------------------------------------------------------------------------------

  createModel(model: SqlModel): void {
    const { sql, inline } = this.tableSql(model);
    this.execute(sql);
    for (const constraint of inline) this.schema.update(model.table, (table) => table.with(constraint));
    this.createComments(model);
    this.deferModelIndexes(model);
    for (const field of model.fields) {
      if (!isAutoCreatedManyToMany(field.def)) continue;
      const through = throughModel(model, field, this.lookup, this.options);
      if (!through) throw new UnknownSql(`the join table of ${model.name}.${field.name}`);
      this.createModel(through);
    }
  }

  private tableSql(model: SqlModel): { sql: string; inline: PhysicalConstraint[] } {
    const inline: PhysicalConstraint[] = [];
    const uniqueTogether = togetherSets(model.options['unique_together']);
    if (!uniqueTogether) throw new UnknownSql(`unique_together of ${model.name}`);
    for (const fields of uniqueTogether) this.deferUnique(model, fields.map((name) => this.column(this.field(model, name))));
    const columnSqls: string[] = [];
    for (const field of model.fields) {
      if (field.column === undefined) {
        if (isAutoCreatedManyToMany(field.def) || field.def.kwargs['through'] !== undefined) continue;
        throw new UnknownSql(`the column of ${field.name}`);
      }
      const params = dbParams(model, field, this.lookup, this.options);
      let { sql: definition } = this.columnSql(model, field, false);
      if (params.check) {
        definition += ` CHECK (${params.check})`;
        inline.push({ name: postgresObjectName(model.table, field.column, 'check'), kind: 'check', columns: [field.column] });
      }
      if (params.suffix) definition += ` ${params.suffix}`;
      if (isPrimary(field.def)) inline.push({ name: postgresObjectName(model.table, undefined, 'pkey'), kind: 'pk', columns: [field.column] });
      else if (isUniqueField(field.def)) inline.push({ name: postgresObjectName(model.table, field.column, 'key'), kind: 'unique', columns: [field.column] });
      if (hasDbConstraint(field.def)) {
        const target = this.target(model, field);
        if (this.database === 'sqlite') {
          definition += ` REFERENCES ${this.q(target.model.table)} (${this.q(this.column(target.field))}) DEFERRABLE INITIALLY DEFERRED`;
        } else {
          this.deferForeignKey(model, field, '_fk_%(to_table)s_%(to_column)s');
        }
      }
      columnSqls.push(`${this.q(field.column)} ${definition}`);
    }
    for (const constraint of this.metaConstraints(model)) {
      const sql = this.constraintSql(model, constraint, true);
      if (sql) {
        columnSqls.push(sql.sql);
        inline.push(sql.physical);
      }
    }
    return { sql: `CREATE TABLE ${this.q(model.table)} (${columnSqls.join(', ')})`, inline };
  }

  private target(model: SqlModel, field: SqlField): { model: SqlModel; field: SqlField } {
    const target = relationTargetField(model, field, this.lookup, this.options.authUserModel);
    if (!target) throw new UnknownSql(`the target of ${model.name}.${field.name}`);
    return target;
  }

  deleteModel(model: SqlModel): void {
    for (const field of model.fields) {
      if (!isAutoCreatedManyToMany(field.def)) continue;
      const through = throughModel(model, field, this.lookup, this.options);
      if (through) this.deleteModel(through);
    }
    this.dropTable(model.table);
  }

  private dropTable(table: string): void {
    this.execute(`DROP TABLE ${this.q(table)}${this.database === 'sqlite' ? '' : ' CASCADE'}`);
    this.schema.drop(table);
    this.deferred = this.deferred.filter((item) => !item.tables.includes(table));
  }

  alterDbTable(oldTable: string, newTable: string): void {
    if (oldTable === newTable) return;
    this.execute(`ALTER TABLE ${this.q(oldTable)} RENAME TO ${this.q(newTable)}`);
    this.schema.rename(oldTable, newTable);
    for (const item of this.deferred) item.renameTable(oldTable, newTable);
  }

  // --- comments (db_comment, db_table_comment: Django 4.2+) ------------------------------------------------------

  /** supports_comments: PostgreSQL (not SQLite), from Django 4.2. */
  private get writesComments(): boolean {
    return this.database === 'postgresql' && this.djangoAtLeast('4.2');
  }

  private commentOf(expr: Expr | undefined, what: string): string | undefined {
    if (!expr || expr.kind === 'none') return undefined;
    const value = stringValue(expr);
    if (value === undefined) throw new UnknownSql(`the ${what} ${expr.text}`);
    return value;
  }

  /** quote_value of a comment (None becomes ''): a standard SQL string literal. */
  private commentLiteral(comment: string | undefined): string {
    return `'${(comment ?? '').replace(/'/g, "''")}'`;
  }

  private columnCommentSql(table: string, column: string, comment: string | undefined): string {
    return `COMMENT ON COLUMN ${this.q(table)}.${this.q(column)} IS ${this.commentLiteral(comment)}`;
  }

  /** AlterModelTableComment (Django 4.2): alter_db_table_comment. */
  alterTableComment(model: SqlModel, comment: Expr | undefined): void {
    if (!this.djangoAtLeast('4.2')) throw new UnknownSql(`AlterModelTableComment on Django ${this.options.djangoVersion} (it was added in Django 4.2)`);
    const text = this.commentOf(comment, 'table comment');
    if (this.writesComments) this.execute(`COMMENT ON TABLE ${this.q(model.table)} IS ${this.commentLiteral(text)}`);
  }

  /** create_model's comments: the table's, then each column's, right after CREATE TABLE. */
  private createComments(model: SqlModel): void {
    if (!this.writesComments) return;
    const tableComment = this.commentOf(model.options['db_table_comment'], 'table comment');
    if (tableComment) this.execute(`COMMENT ON TABLE ${this.q(model.table)} IS ${this.commentLiteral(tableComment)}`);
    for (const field of model.fields) {
      if (field.column === undefined) continue;
      const comment = this.commentOf(field.def.kwargs['db_comment'], 'column comment');
      if (comment) this.execute(this.columnCommentSql(model.table, field.column, comment));
    }
  }

  // --- indexes -----------------------------------------------------------------------------------------------------

  private deferModelIndexes(model: SqlModel): void {
    if (!isManaged(model)) return;
    for (const field of model.fields) this.deferFieldIndexes(model, field);
    const indexTogether = togetherSets(model.options['index_together']);
    if (!indexTogether) throw new UnknownSql(`index_together of ${model.name}`);
    for (const names of indexTogether) {
      const columns = names.map((name) => this.column(this.field(model, name)));
      this.defer(model.table, columns, (table, cols) => this.createIndexSql(table, cols.map((column) => ({ column })), { suffix: '_idx' }), (schema, table, cols) => this.recordIndex(schema, table, createIndexName(table, cols, '_idx', this.database), cols));
    }
    for (const index of this.metaIndexes(model)) {
      const columns = index.fields.map((field) => this.column(this.field(model, field.name)));
      this.defer(model.table, columns, (table) => this.indexCreateSql(model, index, table, false), (schema, table, cols) => this.recordIndex(schema, table, index.name, cols, false, index.method === undefined || index.method === 'btree'));
    }
  }

  /** `_field_indexes_sql` (PostgreSQL adds the `_like` index for varchar/text columns that are indexed or unique). */
  private fieldIndexStatements(model: SqlModel, field: SqlField): { name: string; columns: string[]; render: (table: string, columns: string[]) => string }[] {
    if (field.column === undefined) return [];
    const out: { name: string; columns: string[]; render: (table: string, columns: string[]) => string }[] = [];
    const dbIndex = this.flag(isDbIndex(field.def), 'db_index', field);
    const unique = this.flag(isUniqueField(field.def), 'unique', field);
    if (dbIndex && !unique) out.push({ name: createIndexName(model.table, [field.column], '', this.database), columns: [field.column], render: (table, cols) => this.createIndexSql(table, cols.map((column) => ({ column }))) });
    const like = this.likeIndex(model, field);
    if (like) out.push(like);
    return out;
  }

  private likeIndex(model: SqlModel, field: SqlField): { name: string; columns: string[]; render: (table: string, columns: string[]) => string } | undefined {
    if (this.database !== 'postgresql' || field.column === undefined) return undefined;
    const type = dbParams(model, field, this.lookup, this.options).type;
    if (type === undefined || type.includes('[')) return undefined;
    if (!(isDbIndex(field.def) || isUniqueField(field.def))) return undefined;
    const opclass = type.startsWith('varchar') ? 'varchar_pattern_ops' : type.startsWith('text') ? 'text_pattern_ops' : undefined;
    if (!opclass) return undefined;
    return {
      name: createIndexName(model.table, [field.column], '_like', this.database),
      columns: [field.column],
      render: (table, cols) => this.createIndexSql(table, cols.map((column) => ({ column, opclass })), { suffix: '_like' }),
    };
  }

  private deferFieldIndexes(model: SqlModel, field: SqlField): void {
    for (const index of this.fieldIndexStatements(model, field)) {
      const suffix = index.name.endsWith('_like') ? '_like' : '';
      this.defer(model.table, index.columns, index.render, (schema, table, cols) => this.recordIndex(schema, table, createIndexName(table, cols, suffix, this.database), cols));
    }
  }

  private recordIndex(schema: PhysicalSchema, table: string, name: string, columns: string[], unique = false, btree = true): void {
    schema.update(table, (physical) => physical.with({ name, kind: 'index', columns, unique, btree }));
  }

  private createIndexSql(table: string, columns: { column: string; descending?: boolean; opclass?: string }[], options: { suffix?: string; name?: string; concurrently?: boolean; unique?: boolean; method?: string; include?: string[]; condition?: string } = {}): string {
    const name = options.name ?? createIndexName(table, columns.map((c) => c.column), options.suffix ?? '', this.database);
    const columnList = columns.map((c) => `${this.q(c.column)}${c.opclass && this.database === 'postgresql' ? ` ${c.opclass}` : ''}${c.descending ? ' DESC' : ''}`).join(', ');
    const using = options.method && this.database === 'postgresql' ? ` USING ${options.method}` : '';
    const include = options.include && options.include.length > 0 && this.database === 'postgresql' ? ` INCLUDE (${options.include.map((c) => this.q(c)).join(', ')})` : '';
    const condition = options.condition ? ` WHERE ${options.condition}` : '';
    const verb = options.unique ? 'CREATE UNIQUE INDEX' : options.concurrently ? 'CREATE INDEX CONCURRENTLY' : 'CREATE INDEX';
    return `${verb} ${this.q(name)} ON ${this.q(table)}${using} (${columnList})${include}${condition}`;
  }

  private indexCreateSql(model: SqlModel, index: IndexSpec, table: string, concurrently: boolean): string {
    const columns = index.fields.map((field, i) => {
      const entry: { column: string; descending?: boolean; opclass?: string } = { column: this.column(this.field(model, field.name)) };
      if (field.descending) entry.descending = true;
      const opclass = index.opclasses[i];
      if (opclass) entry.opclass = opclass;
      return entry;
    });
    const options: Parameters<SchemaEditor['createIndexSql']>[2] = { name: index.name, concurrently };
    if (index.method && index.method !== 'btree') options.method = index.method;
    if (index.include.length > 0) options.include = index.include.map((name) => this.column(this.field(model, name)));
    if (index.condition) options.condition = this.condition(model, index.condition);
    return this.createIndexSql(table, columns, options);
  }

  private condition(model: SqlModel, expr: Expr): string {
    const sql = compileQ(expr, (name) => {
      const field = fieldNamed(model, name);
      return field?.column ? { column: field.column, def: field.def } : undefined;
    }, this.database);
    if (sql === undefined) throw new UnknownSql(`the condition ${expr.text}`);
    return sql;
  }

  addIndex(model: SqlModel, indexExpr: Expr | undefined, concurrently = false): void {
    if (concurrently && this.database !== 'postgresql') throw new UnknownSql('AddIndexConcurrently on a database other than PostgreSQL (Django refuses it)');
    this.addIndexSpec(model, this.indexSpec(indexExpr), concurrently);
  }

  private addIndexSpec(model: SqlModel, index: IndexSpec, concurrently: boolean): void {
    this.execute(this.indexCreateSql(model, index, model.table, concurrently));
    const columns = index.fields.map((field) => this.column(this.field(model, field.name)));
    this.recordIndex(this.schema, model.table, index.name, columns, false, index.method === undefined || index.method === 'btree');
  }

  removeIndex(model: SqlModel, name: string, concurrently = false): void {
    if (concurrently && this.database !== 'postgresql') throw new UnknownSql('RemoveIndexConcurrently on a database other than PostgreSQL (Django refuses it)');
    this.execute(this.dropIndexSql(name, concurrently), undefined, { indexTable: model.table });
    this.schema.update(model.table, (table) => table.without(name));
  }

  /**
   * RenameIndex (Django 4.1): `ALTER INDEX ... RENAME TO` where the database can rename an index (PostgreSQL), else
   * the index is dropped and built again under its new name (SQLite). With `old_fields` the index is the one
   * introspection finds on those columns (an index_together index), which must be exactly one.
   */
  renameIndex(model: SqlModel, old: { name?: string; fields?: string[] }, newName: string): void {
    let oldIndex: IndexSpec | undefined;
    if (old.fields) {
      const columns = old.fields.map((name) => this.column(this.field(model, name)));
      const names = this.introspected.table(model.table).names({ columns, index: true });
      if (names.length !== 1) throw new UnknownSql(`the index on ${model.table}(${columns.join(', ')}) (found ${names.length}; Django requires exactly one)`);
      oldIndex = { name: names[0] as string, fields: old.fields.map((name) => ({ name, descending: false })), opclasses: [], include: [] };
    } else {
      oldIndex = this.metaIndexes(model).find((index) => index.name === old.name);
      if (!oldIndex) throw new UnknownSql(`the index ${old.name ?? ''} of ${model.name} in the replayed history`);
    }
    if (oldIndex.name === newName) return;
    if (this.database !== 'postgresql') {
      this.removeIndex(model, oldIndex.name);
      this.addIndexSpec(model, { ...oldIndex, name: newName }, false);
      return;
    }
    const from = oldIndex.name;
    this.execute(`ALTER INDEX ${this.q(from)} RENAME TO ${this.q(newName)}`, undefined, { indexTable: model.table });
    this.schema.update(model.table, (table) => table.renamingConstraint(from, newName));
  }

  /** PostgreSQL drops with IF EXISTS (sql_delete_index), the base editor (SQLite) without. */
  private dropIndexSql(name: string, concurrently = false): string {
    if (this.database !== 'postgresql') return `DROP INDEX ${this.q(name)}`;
    return `DROP INDEX ${concurrently ? 'CONCURRENTLY ' : ''}IF EXISTS ${this.q(name)}`;
  }

  private indexSpec(expr: Expr | undefined): IndexSpec {
    if (expr?.kind !== 'call' || expr.hasStarArgs) throw new UnknownSql('the index definition');
    const className = calleeName(expr);
    const name = stringValue(expr.kwargs['name']);
    const fieldsExpr = expr.kwargs['fields'];
    if (!name || (fieldsExpr?.kind !== 'list' && fieldsExpr?.kind !== 'tuple') || expr.args.length > 0) throw new UnknownSql('the index definition');
    const fields = fieldsExpr.items.map((item) => {
      const value = stringValue(item);
      if (value === undefined) throw new UnknownSql('the index fields');
      return value.startsWith('-') ? { name: value.slice(1), descending: true } : { name: value, descending: false };
    });
    const spec: IndexSpec = { name, fields, opclasses: this.strings(expr.kwargs['opclasses']), include: this.strings(expr.kwargs['include']) };
    const condition = expr.kwargs['condition'];
    if (condition && condition.kind !== 'none') spec.condition = condition;
    if (className !== 'Index') {
      const method = POSTGRES_INDEX_METHODS[className];
      if (!method) throw new UnknownSql(`the index class ${className}`);
      spec.method = method;
    }
    for (const key of Object.keys(expr.kwargs)) if (!['name', 'fields', 'opclasses', 'include', 'condition'].includes(key)) throw new UnknownSql(`the index option ${key}`);
    return spec;
  }

  private strings(expr: Expr | undefined): string[] {
    if (!expr || expr.kind === 'none') return [];
    if (expr.kind !== 'list' && expr.kind !== 'tuple') throw new UnknownSql(expr.text);
    return expr.items.map((item) => {
      const value = stringValue(item);
      if (value === undefined) throw new UnknownSql(item.text);
      return value;
    });
  }

  private metaIndexes(model: SqlModel): IndexSpec[] {
    const list = model.options['indexes'];
    if (!list || list.kind === 'none') return [];
    if (list.kind !== 'list' && list.kind !== 'tuple') throw new UnknownSql('Meta.indexes');
    return list.items.map((item) => this.indexSpec(item));
  }

  // --- constraints -------------------------------------------------------------------------------------------------

  private metaConstraints(model: SqlModel): Expr[] {
    const list = model.options['constraints'];
    if (!list || list.kind === 'none') return [];
    if (list.kind !== 'list' && list.kind !== 'tuple') throw new UnknownSql('Meta.constraints');
    return list.items;
  }

  private metaNames(model: SqlModel, option: 'constraints' | 'indexes'): Set<string> {
    const list = model.options[option];
    const names = new Set<string>();
    if (list && (list.kind === 'list' || list.kind === 'tuple')) {
      for (const item of list.items) if (item.kind === 'call') {
        const name = stringValue(item.kwargs['name']);
        if (name) names.add(name);
      }
    }
    return names;
  }

  /** constraint_sql (inline in CREATE TABLE) or create_sql (ALTER TABLE / CREATE UNIQUE INDEX). */
  private constraintSql(model: SqlModel, expr: Expr, inline: boolean): { sql: string; physical: PhysicalConstraint } | undefined {
    if (expr.kind !== 'call' || expr.hasStarArgs) throw new UnknownSql('the constraint definition');
    const kind = calleeName(expr);
    const name = stringValue(expr.kwargs['name']);
    if (!name) throw new UnknownSql('the constraint name');
    if (kind === 'CheckConstraint') {
      const check = this.condition(model, (expr.kwargs['check'] ?? expr.kwargs['condition']) as Expr);
      const columns: string[] = [];
      const sql = inline ? `CONSTRAINT ${this.q(name)} CHECK (${check})` : `ALTER TABLE ${this.q(model.table)} ADD CONSTRAINT ${this.q(name)} CHECK (${check})`;
      return { sql, physical: { name, kind: 'check', columns } };
    }
    if (kind === 'UniqueConstraint') {
      const fieldNames = this.strings(expr.kwargs['fields']);
      const columns = fieldNames.map((field) => this.column(this.field(model, field)));
      const condition = expr.kwargs['condition'];
      const deferrable = expr.kwargs['deferrable'];
      for (const key of Object.keys(expr.kwargs)) if (!['name', 'fields', 'condition', 'deferrable'].includes(key)) throw new UnknownSql(`the constraint option ${key}`);
      const deferrableSql = deferrable && deferrable.kind !== 'none' ? this.deferrableSql(deferrable) : '';
      if (condition && condition.kind !== 'none') {
        const where = this.condition(model, condition);
        const sql = this.createIndexSql(model.table, columns.map((column) => ({ column })), { name, unique: true, condition: where });
        if (inline) {
          this.defer(model.table, columns, (table, cols) => this.createIndexSql(table, cols.map((column) => ({ column })), { name, unique: true, condition: where }), (schema, table, cols) => this.recordIndex(schema, table, name, cols, true));
          return undefined;
        }
        return { sql, physical: { name, kind: 'index', columns, unique: true, btree: true } };
      }
      const body = `UNIQUE (${columns.map((c) => this.q(c)).join(', ')})${deferrableSql}`;
      const sql = inline ? `CONSTRAINT ${this.q(name)} ${body}` : `ALTER TABLE ${this.q(model.table)} ADD CONSTRAINT ${this.q(name)} ${body}`;
      return { sql, physical: { name, kind: 'unique', columns } };
    }
    throw new UnknownSql(`the constraint class ${kind}`);
  }

  private deferrableSql(expr: Expr): string {
    const text = expr.kind === 'name' ? expr.dotted.split('.').pop() : undefined;
    if (text === 'DEFERRED') return ' DEFERRABLE INITIALLY DEFERRED';
    if (text === 'IMMEDIATE') return ' DEFERRABLE INITIALLY IMMEDIATE';
    throw new UnknownSql(expr.text);
  }

  addConstraint(model: SqlModel, expr: Expr | undefined, after?: SqlModel): void {
    if (!expr) throw new UnknownSql('the constraint');
    if (this.database === 'sqlite' && !this.isConditionalUnique(expr)) {
      this.remakeTable(after ?? model);
      return;
    }
    const created = this.constraintSql(model, expr, false);
    if (!created) return;
    this.execute(created.sql);
    this.schema.update(model.table, (table) => table.with(created.physical));
  }

  /** django.contrib.postgres AddConstraintNotValid (Django 4.0): the check constraint's create_sql plus NOT VALID. */
  addConstraintNotValid(model: SqlModel, expr: Expr | undefined): void {
    this.requirePostgres('AddConstraintNotValid', '4.0');
    if (expr?.kind !== 'call' || calleeName(expr) !== 'CheckConstraint') throw new UnknownSql('AddConstraintNotValid with a constraint that is not a CheckConstraint (Django refuses it)');
    const created = this.constraintSql(model, expr, false);
    if (!created) return;
    this.execute(`${created.sql} NOT VALID`);
    this.schema.update(model.table, (table) => table.with(created.physical));
  }

  /** django.contrib.postgres ValidateConstraint (Django 4.0). */
  validateConstraint(model: SqlModel, name: string): void {
    this.requirePostgres('ValidateConstraint', '4.0');
    this.execute(`ALTER TABLE ${this.q(model.table)} VALIDATE CONSTRAINT ${this.q(name)}`);
  }

  private requirePostgres(operation: string, since: string): void {
    if (this.database !== 'postgresql') throw new UnknownSql(`${operation} on a database other than PostgreSQL (it is a django.contrib.postgres operation)`);
    if (!this.djangoAtLeast(since)) throw new UnknownSql(`${operation} on Django ${this.options.djangoVersion} (it was added in Django ${since})`);
  }

  private isConditionalUnique(expr: Expr): boolean {
    const condition = expr.kind === 'call' ? expr.kwargs['condition'] : undefined;
    return expr.kind === 'call' && calleeName(expr) === 'UniqueConstraint' && condition !== undefined && condition.kind !== 'none';
  }

  removeConstraint(model: SqlModel, expr: Expr | undefined, after?: SqlModel): void {
    if (expr?.kind !== 'call') throw new UnknownSql('the constraint');
    if (this.database === 'sqlite' && !this.isConditionalUnique(expr)) {
      this.remakeTable(after ?? model);
      return;
    }
    const name = stringValue(expr.kwargs['name']);
    if (!name) throw new UnknownSql('the constraint name');
    const condition = expr.kwargs['condition'];
    if (calleeName(expr) === 'UniqueConstraint' && condition && condition.kind !== 'none') this.execute(this.dropIndexSql(name));
    else this.execute(`ALTER TABLE ${this.q(model.table)} DROP CONSTRAINT ${this.q(name)}`);
    this.schema.update(model.table, (table) => table.without(name));
  }

  private uniqueSql(table: string, columns: string[]): string {
    if (this.database === 'sqlite') return `CREATE UNIQUE INDEX ${this.q(createIndexName(table, columns, '_uniq', this.database))} ON ${this.q(table)} (${columns.map((c) => this.q(c)).join(', ')})`;
    return `ALTER TABLE ${this.q(table)} ADD CONSTRAINT ${this.q(createIndexName(table, columns, '_uniq', this.database))} UNIQUE (${columns.map((c) => this.q(c)).join(', ')})`;
  }

  private deferUnique(model: SqlModel, columns: string[]): void {
    if (this.database === 'sqlite') {
      this.defer(model.table, columns, (table, cols) => `CREATE UNIQUE INDEX ${this.q(createIndexName(table, cols, '_uniq', this.database))} ON ${this.q(table)} (${cols.map((c) => this.q(c)).join(', ')})`, (schema, table, cols) => this.recordIndex(schema, table, createIndexName(table, cols, '_uniq', this.database), cols, true));
      return;
    }
    this.defer(model.table, columns, (table, cols) => this.uniqueSql(table, cols), (schema, table, cols) => schema.update(table, (physical) => physical.with({ name: createIndexName(table, cols, '_uniq', this.database), kind: 'unique', columns: cols })));
  }

  alterUniqueTogether(model: SqlModel, olds: string[][], news: string[][]): void {
    this.alterTogether(model, olds, news, {
      query: { unique: true },
      drop: (name) => (this.database === 'sqlite' ? `DROP INDEX ${this.q(name)}` : `ALTER TABLE ${this.q(model.table)} DROP CONSTRAINT ${this.q(name)}`),
      create: (columns) => {
        this.execute(this.uniqueSql(model.table, columns));
        const name = createIndexName(model.table, columns, '_uniq', this.database);
        this.schema.update(model.table, (table) => table.with(this.database === 'sqlite' ? { name, kind: 'index', columns, unique: true, btree: true } : { name, kind: 'unique', columns }));
      },
    });
  }

  alterIndexTogether(model: SqlModel, olds: string[][], news: string[][]): void {
    this.alterTogether(model, olds, news, {
      query: { index: true, unique: false },
      drop: (name) => this.dropIndexSql(name),
      create: (columns) => {
        this.execute(this.createIndexSql(model.table, columns.map((column) => ({ column })), { suffix: '_idx' }));
        this.recordIndex(this.schema, model.table, createIndexName(model.table, columns, '_idx', this.database), columns);
      },
    });
  }

  /** alter_unique_together / alter_index_together: drop the sets that went (found by introspection), create the new ones. */
  private alterTogether(model: SqlModel, olds: string[][], news: string[][], how: { query: Parameters<PhysicalTable['names']>[0]; drop: (name: string) => string; create: (columns: string[]) => void }): void {
    const key = (set: string[]): string => set.join('\u0000');
    const oldKeys = new Set(olds.map(key));
    const newKeys = new Set(news.map(key));
    const exclude = new Set([...this.metaNames(model, 'constraints'), ...this.metaNames(model, 'indexes')]);
    const columnsOf = (fields: string[]): string[] => fields.map((name) => this.column(this.field(model, name)));
    for (const fields of olds) {
      if (newKeys.has(key(fields))) continue;
      const name = this.singleConstraint(model, columnsOf(fields), { ...how.query, exclude });
      this.execute(how.drop(name));
      this.schema.update(model.table, (table) => table.without(name));
    }
    for (const fields of news) if (!oldKeys.has(key(fields))) how.create(columnsOf(fields));
  }

  private singleConstraint(model: SqlModel, columns: string[], query: Parameters<PhysicalTable['names']>[0]): string {
    const names = this.introspected.table(model.table).names({ ...query, columns });
    if (names.length !== 1) throw new UnknownSql(`the constraint on ${model.table}(${columns.join(', ')}) (found ${names.length})`);
    return names[0] as string;
  }

  // --- foreign keys ------------------------------------------------------------------------------------------------

  private foreignKeySql(table: string, column: string, toTable: string, toColumn: string, name: string): string {
    return `ALTER TABLE ${this.q(table)} ADD CONSTRAINT ${this.q(name)} FOREIGN KEY (${this.q(column)}) REFERENCES ${this.q(toTable)} (${this.q(toColumn)}) DEFERRABLE INITIALLY DEFERRED`;
  }

  private deferForeignKey(model: SqlModel, field: SqlField, suffix: string): void {
    const target = this.target(model, field);
    const toTable = target.model.table;
    const toColumn = this.column(target.field);
    this.defer(
      model.table,
      [this.column(field)],
      (table, cols) => this.foreignKeySql(table, cols[0] as string, toTable, toColumn, foreignKeyName(table, cols[0] as string, toTable, toColumn, this.database, suffix)),
      (schema, table, cols) => schema.update(table, (physical) => physical.with({ name: foreignKeyName(table, cols[0] as string, toTable, toColumn, this.database, suffix), kind: 'fk', columns: [cols[0] as string] })),
      [toTable],
    );
  }

  private dropForeignKeys(table: string, column: string): boolean {
    const names = this.introspected.table(table).names({ columns: [column], foreignKey: true });
    for (const name of names) {
      this.execute(`SET CONSTRAINTS ${this.q(name)} IMMEDIATE; ALTER TABLE ${this.q(table)} DROP CONSTRAINT ${this.q(name)}`);
      this.schema.update(table, (physical) => physical.without(name));
    }
    return names.length > 0;
  }

  private addForeignKey(model: SqlModel, field: SqlField, suffix: string): void {
    const target = this.target(model, field);
    const column = this.column(field);
    const toColumn = this.column(target.field);
    const name = suffix === '_fk' ? createIndexName(model.table, [column], '_fk', this.database) : foreignKeyName(model.table, column, target.model.table, toColumn, this.database, suffix);
    this.execute(this.foreignKeySql(model.table, column, target.model.table, toColumn, name));
    this.schema.update(model.table, (physical) => physical.with({ name, kind: 'fk', columns: [column] }));
  }

  // --- fields ------------------------------------------------------------------------------------------------------

  addField(model: SqlModel, field: SqlField): void {
    if (isAutoCreatedManyToMany(field.def)) {
      const through = throughModel(model, field, this.lookup, this.options);
      if (!through) throw new UnknownSql(`the join table of ${field.name}`);
      this.createModel(through);
      return;
    }
    if (field.column === undefined) {
      if (field.def.kwargs['through'] !== undefined) return;
      throw new UnknownSql(`the column of ${field.name}`);
    }
    if (this.database === 'sqlite' && this.sqliteRemakesToAdd(field)) {
      this.remakeTable(model, { create: field });
      return;
    }
    const params = dbParams(model, field, this.lookup, this.options);
    const { sql, defaultValue } = this.columnSql(model, field, true);
    let definition = sql;
    const table = model.table;
    const physical: PhysicalConstraint[] = [];
    if (params.check) {
      definition += ` CHECK (${params.check})`;
      physical.push({ name: postgresObjectName(table, field.column, 'check'), kind: 'check', columns: [field.column] });
    }
    if (isPrimary(field.def)) physical.push({ name: postgresObjectName(table, undefined, 'pkey'), kind: 'pk', columns: [field.column] });
    else if (isUniqueField(field.def)) physical.push({ name: postgresObjectName(table, field.column, 'key'), kind: 'unique', columns: [field.column] });
    if (hasDbConstraint(field.def) && this.database === 'sqlite') {
      const target = this.target(model, field);
      definition += ` REFERENCES ${this.q(target.model.table)} (${this.q(this.column(target.field))}) DEFERRABLE INITIALLY DEFERRED`;
    } else if (hasDbConstraint(field.def)) {
      const target = this.target(model, field);
      const toColumn = this.column(target.field);
      const name = foreignKeyName(table, field.column, target.model.table, toColumn, this.database);
      definition += ` CONSTRAINT ${this.q(name)} REFERENCES ${this.q(target.model.table)}(${this.q(toColumn)}) DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS ${this.q(name)} IMMEDIATE`;
      physical.push({ name, kind: 'fk', columns: [field.column] });
    }
    this.execute(`ALTER TABLE ${this.q(table)} ADD COLUMN ${this.q(field.column)} ${definition}`, defaultValue);
    for (const constraint of physical) this.schema.update(table, (t) => t.with(constraint));
    if (defaultValue) this.execute(`ALTER TABLE ${this.q(table)} ALTER COLUMN ${this.q(field.column)} DROP DEFAULT`);
    const comment = this.writesComments ? this.commentOf(field.def.kwargs['db_comment'], 'column comment') : undefined;
    if (comment) this.execute(this.columnCommentSql(table, field.column, comment));
    this.deferFieldIndexes(model, field);
  }

  removeField(model: SqlModel, field: SqlField): void {
    if (isAutoCreatedManyToMany(field.def)) {
      const through = throughModel(model, field, this.lookup, this.options);
      if (!through) throw new UnknownSql(`the join table of ${field.name}`);
      this.deleteModel(through);
      return;
    }
    if (field.column === undefined) {
      if (field.def.kwargs['through'] !== undefined) return;
      throw new UnknownSql(`the column of ${field.name}`);
    }
    if (this.database === 'sqlite' && !this.sqliteDropsInPlace(field)) {
      this.remakeTable(model, { remove: field });
      return;
    }
    if (this.database === 'sqlite') {
      this.execute(`ALTER TABLE ${this.q(model.table)} DROP COLUMN ${this.q(field.column)}`);
    } else if (field.def.kwargs['to'] !== undefined || field.def.call?.args[0] !== undefined) {
      if (/ForeignKey|OneToOneField|ParentalKey/.test(field.def.type)) this.dropForeignKeys(model.table, field.column);
    }
    if (this.database !== 'sqlite') this.execute(`ALTER TABLE ${this.q(model.table)} DROP COLUMN ${this.q(field.column)} CASCADE`);
    const column = field.column;
    this.schema.update(model.table, (table) => table.withoutColumn(column));
    this.deferred = this.deferred.filter((item) => !item.columns.some((c) => c.table === model.table && c.column === column));
  }

  /**
   * SQLite's add_field from Django 4.0: ALTER TABLE ADD COLUMN for a nullable column without a default (a constant
   * db_default is fine), key or unique constraint; anything else, and every column before 4.0, rebuilds the table.
   */
  private sqliteRemakesToAdd(field: SqlField): boolean {
    if (!this.djangoAtLeast('4.0')) return true;
    if (isPrimary(field.def) !== false || isUniqueField(field.def) !== false || isNull(field.def) !== true) return true;
    const value = effectiveDefaultSql(field.def, this.database);
    if (value === null) throw new UnknownSql(`the default of ${field.name}`);
    if (value !== undefined) return true;
    const dbDefault = field.def.kwargs['db_default'];
    if (!dbDefault || dbDefault.kind === 'none') return false;
    // Django wraps a literal db_default in Value(); any other expression needs the rebuild.
    const constant = ['number', 'string', 'bool'].includes(dbDefault.kind) || (dbDefault.kind === 'call' && calleeName(dbDefault) === 'Value');
    return !constant;
  }

  /**
   * SQLite's remove_field from Django 4.1 (SQLite 3.35.5+): ALTER TABLE DROP COLUMN for a column without key,
   * unique constraint, index or foreign key constraint; anything else, and every column before 4.1, rebuilds.
   */
  private sqliteDropsInPlace(field: SqlField): boolean {
    if (!this.djangoAtLeast('4.1')) return false;
    return isPrimary(field.def) === false && isUniqueField(field.def) === false && isDbIndex(field.def) === false && hasDbConstraint(field.def) === false;
  }

  /** SQLite's _alter_field: a plain column rename when nothing else changes, else the table is rebuilt. */
  private alterSqliteColumn(model: SqlModel, oldField: SqlField, newField: SqlField): void {
    const renamedOnly = oldField.column !== newField.column && this.columnSql(model, oldField, false).sql === this.columnSql(model, newField, false).sql && !(hasDbConstraint(oldField.def) || hasDbConstraint(newField.def));
    if (renamedOnly) {
      this.execute(`ALTER TABLE ${this.q(model.table)} RENAME COLUMN ${this.q(oldField.column as string)} TO ${this.q(newField.column as string)}`);
      this.schema.update(model.table, (t) => t.renamingColumn(oldField.column as string, newField.column as string));
      return;
    }
    this.remakeTable(model, { alter: [oldField, newField] });
  }

  /**
   * SQLite's _remake_table: create `new__<table>` with the new definition, copy the rows, drop the old table,
   * rename the new one, then run every deferred statement (its indexes and any pending ones) right away.
   */
  remakeTable(model: SqlModel, change: { create?: SqlField; remove?: SqlField; alter?: [SqlField, SqlField] } = {}): void {
    const selfReferential = (field: SqlField): boolean => {
      if (!/ForeignKey|OneToOneField/.test(field.def.type)) return false;
      const target = relationTargetField(model, field, this.lookup, this.options.authUserModel);
      return target?.model.table === model.table;
    };
    const concrete = model.fields.filter((field) => field.column !== undefined && field.name !== change.create?.name);
    const mapping = new Map<string, string>(concrete.map((field) => [field.column as string, this.q(field.column as string)]));
    let body = concrete.filter((field) => !selfReferential(field));
    const clones = concrete.filter(selfReferential);
    const renames = new Map<string, string>();
    let copiedValue: SqlValue | undefined;
    if (change.create?.column !== undefined) {
      body.push(change.create);
      const value = effectiveDefaultSql(change.create.def, this.database);
      if (value === null) throw new UnknownSql(`the default of ${change.create.name}`);
      mapping.set(change.create.column, value ? value.sql : 'NULL');
      copiedValue = value;
    }
    if (change.alter) {
      const [oldField, newField] = change.alter;
      body = body.filter((field) => field.name !== oldField.name);
      const cloneIndex = clones.findIndex((field) => field.name === oldField.name);
      if (cloneIndex >= 0) clones.splice(cloneIndex, 1);
      mapping.delete(oldField.column as string);
      body.push(newField);
      const oldNull = isNull(oldField.def);
      const newNull = isNull(newField.def);
      if (oldNull && newNull === false) {
        const value = effectiveDefaultSql(newField.def, this.database);
        if (!value) throw new UnknownSql(`the default of ${newField.name}`);
        mapping.set(newField.column as string, `coalesce(${this.q(oldField.column as string)}, ${value.sql})`);
        copiedValue = value;
      } else {
        mapping.set(newField.column as string, this.q(oldField.column as string));
      }
      renames.set(oldField.name, newField.name);
    }
    if (change.remove) {
      body = body.filter((field) => field.name !== change.remove?.name);
      const cloneIndex = clones.findIndex((field) => field.name === change.remove?.name);
      if (cloneIndex >= 0) clones.splice(cloneIndex, 1);
      mapping.delete(change.remove.column as string);
    }
    const rename = (expr: Expr | undefined): Expr | undefined => {
      const sets = togetherSets(expr);
      if (!sets || renames.size === 0) return expr;
      return syntheticList(sets.map((set) => syntheticTuple(set.map((name) => syntheticString(renames.get(name) ?? name)))));
    };
    const options: Record<string, Expr> = { ...model.options };
    for (const key of ['unique_together', 'index_together'] as const) {
      const renamed = rename(options[key]);
      if (renamed) options[key] = renamed;
    }
    const newTable = `new__${model.table}`;
    // Fields are ordered by creation counter: auto-created ones (the implicit id) first, self-referencing clones last.
    const autoCreated = (field: SqlField): boolean => field.def.kwargs['auto_created']?.kind === 'bool' && (field.def.kwargs['auto_created'] as { value: boolean }).value;
    const opField = change.create ?? change.alter?.[1];
    const leading = this.opFieldFirst && opField ? [opField] : [];
    const rest = body.filter((field) => !leading.includes(field));
    const fields = [...rest.filter(autoCreated), ...leading, ...rest.filter((field) => !autoCreated(field)), ...clones];
    // A different key: self-references resolve to the model under its real table, as in Django (the clone points at the original model class).
    const newModel: SqlModel = { ...model, key: `new__${model.key}`, table: newTable, fields, options };
    const original = model.table;
    this.overrides.set(`${model.app}.${model.key}`, { ...model, fields, options });
    try {
      this.createModelTable(newModel);
    } finally {
      this.overrides.delete(`${model.app}.${model.key}`);
    }
    this.execute(`INSERT INTO ${this.q(newTable)} (${[...mapping.keys()].map((c) => this.q(c)).join(', ')}) SELECT ${[...mapping.values()].join(', ')} FROM ${this.q(original)}`, copiedValue);
    this.dropTable(original);
    this.alterDbTable(newTable, original);
    for (const item of this.deferred) {
      this.execute(item.render());
      item.apply(this.schema);
    }
    this.deferred = [];
  }

  /** create_model without the M2M tables (the remake keeps them). */
  private createModelTable(model: SqlModel): void {
    const { sql, inline } = this.tableSql(model);
    this.execute(sql);
    for (const constraint of inline) this.schema.update(model.table, (table) => table.with(constraint));
    this.createComments(model);
    this.deferModelIndexes(model);
  }

  /** `_field_should_be_altered`: anything but the attributes Django knows have no effect on the database. */
  /** `_field_should_be_altered`; `ignore` as Django passes it (`{"db_comment"}` where only the comment may differ). */
  private shouldAlter(oldField: SqlField, newField: SqlField, ignore: readonly string[] = []): boolean {
    if (oldField.column !== newField.column) return true;
    if (oldField.def.type !== newField.def.type) return true;
    const oldKeys = Object.keys(oldField.def.kwargs);
    const newKeys = Object.keys(newField.def.kwargs);
    if (oldKeys.length === newKeys.length && oldKeys.every((key) => newField.def.kwargs[key]?.text === oldField.def.kwargs[key]?.text) && (oldField.def.call?.args.length ?? 0) === 0 && (newField.def.call?.args.length ?? 0) === 0) return false;
    const ignored = new Set([...(this.djangoAtLeast('4.1') ? NON_DATABASE_ATTRS_4_1 : NON_DATABASE_ATTRS), ...ignore]);
    const relevant = (field: SqlField): string => Object.entries(field.def.kwargs).filter(([key]) => !ignored.has(key)).map(([key, value]) => `${key}=${value.text.replace(/\s+/g, '')}`).sort().join(',');
    return relevant(oldField) !== relevant(newField) || (oldField.def.call?.args.map((a) => a.text).join(',') ?? '') !== (newField.def.call?.args.map((a) => a.text).join(',') ?? '');
  }

  private djangoAtLeast(version: string): boolean {
    return versionAtLeast(this.options.djangoVersion, version);
  }

  alterField(model: SqlModel, oldField: SqlField, newField: SqlField, newModel: SqlModel = model): void {
    if (!this.shouldAlter(oldField, newField)) return;
    const oldM2M = isAutoCreatedManyToMany(oldField.def);
    const newM2M = isAutoCreatedManyToMany(newField.def);
    if (oldM2M && newM2M) {
      this.alterManyToMany(model, oldField, newField, newModel);
      return;
    }
    if (oldField.column === undefined && newField.column === undefined) return;
    if (oldField.column === undefined || newField.column === undefined) throw new UnknownSql(`altering ${newField.name} to or from a many-to-many field`);
    if (this.database === 'sqlite') {
      this.alterSqliteColumn(model, oldField, newField);
      return;
    }
    if (this.database !== 'postgresql') throw new UnknownSql('AlterField on this database');
    this.alterColumn(model, oldField, newField, newModel);
  }

  private alterManyToMany(model: SqlModel, oldField: SqlField, newField: SqlField, newModel: SqlModel): void {
    const oldThrough = throughModel(model, oldField, this.lookup, this.options);
    const newThrough = throughModel(newModel, newField, this.lookup, this.options);
    if (!oldThrough || !newThrough) throw new UnknownSql(`the join table of ${newField.name}`);
    if (this.database === 'sqlite') {
      if (oldThrough.table !== newThrough.table) throw new UnknownSql('moving a many-to-many join table on SQLite');
      const [, , oldTarget] = oldThrough.fields as [SqlField, SqlField, SqlField];
      const [, , newTarget] = newThrough.fields as [SqlField, SqlField, SqlField];
      this.remakeTable(oldThrough, { alter: [oldTarget, newTarget] });
      return;
    }
    if (oldThrough.table !== newThrough.table) this.alterDbTable(oldThrough.table, newThrough.table);
    const [, oldFrom, oldTo] = oldThrough.fields as [SqlField, SqlField, SqlField];
    const [, newFrom, newTo] = newThrough.fields as [SqlField, SqlField, SqlField];
    this.alterField(newThrough, oldTo, newTo, newThrough);
    this.alterField(newThrough, oldFrom, newFrom, newThrough);
  }

  /** Every non-M2M relation field in the state that points at `field` of `model` (`_related_non_m2m_objects`). */
  private relationsTo(model: SqlModel, field: SqlField): { model: SqlModel; field: SqlField }[] {
    const out: { model: SqlModel; field: SqlField }[] = [];
    const primary = isPrimary(field.def) === true;
    for (const candidate of this.allModels()) {
      for (const relation of candidate.fields) {
        if (!/ForeignKey|OneToOneField/.test(relation.def.type) || relation.column === undefined) continue;
        const target = relationTargetField(candidate, relation, this.lookup, this.options.authUserModel);
        if (!target || target.model.table !== model.table) continue;
        const toField = stringValue(relation.def.kwargs['to_field']);
        if (toField ? toField.toLowerCase() === field.name : primary) out.push({ model: candidate, field: relation });
      }
    }
    return out;
  }

  private alterColumn(model: SqlModel, oldField: SqlField, newField: SqlField, newModel: SqlModel): void {
    const table = model.table;
    const oldColumn = oldField.column as string;
    const newColumn = newField.column as string;
    const oldParams = dbParams(model, oldField, this.lookup, this.options);
    const newParams = dbParams(newModel, newField, this.lookup, this.options);
    const oldType = oldParams.type;
    const newType = newParams.type;
    if (oldType === undefined || newType === undefined) throw new UnknownSql(`the column type of ${newField.name}`);
    const oldUnique = this.flag(isUniqueField(oldField.def), 'unique', oldField);
    const newUnique = this.flag(isUniqueField(newField.def), 'unique', newField);
    const oldIndex = this.flag(isDbIndex(oldField.def), 'db_index', oldField);
    const newIndex = this.flag(isDbIndex(newField.def), 'db_index', newField);
    const oldPrimary = isPrimary(oldField.def) === true;
    const newPrimary = isPrimary(newField.def) === true;
    const oldNull = this.flag(isNull(oldField.def), 'null', oldField);
    const newNull = this.flag(isNull(newField.def), 'null', newField);
    const family = (type: string): string | undefined => ['varchar', 'text', 'citext'].find((prefix) => type.startsWith(prefix));
    // PostgreSQL: the _like index goes when the column stops being varchar/text.
    if ((oldIndex || oldUnique) && family(oldType) !== undefined && family(oldType) !== family(newType)) {
      this.execute(`DROP INDEX IF EXISTS ${this.q(createIndexName(table, [oldColumn], '_like', this.database))}`, undefined, { indexTable: table });
      this.schema.update(table, (t) => t.without(createIndexName(table, [oldColumn], '_like', this.database)));
    }
    const oldComment = this.writesComments ? this.commentOf(oldField.def.kwargs['db_comment'], 'column comment') : undefined;
    const newComment = this.writesComments ? this.commentOf(newField.def.kwargs['db_comment'], 'column comment') : undefined;
    const commentChanged = oldComment !== newComment;
    let fksDropped = false;
    // Django 4.2+ keeps the foreign key when only the comment changes (ignore={"db_comment"}).
    const onlyComment = commentChanged && !this.shouldAlter(oldField, newField, ['db_comment']);
    if (/ForeignKey|OneToOneField/.test(oldField.def.type) && hasDbConstraint(oldField.def) && !onlyComment) fksDropped = this.dropForeignKeys(table, oldColumn);
    const metaConstraints = this.metaNames(model, 'constraints');
    if (oldUnique && (!newUnique || (!oldPrimary && newPrimary))) {
      for (const name of this.introspected.table(table).names({ columns: [oldColumn], unique: true, primaryKey: false, exclude: metaConstraints })) {
        this.execute(`ALTER TABLE ${this.q(table)} DROP CONSTRAINT ${this.q(name)}`);
        this.schema.update(table, (t) => t.without(name));
      }
    }
    const dropForeignKeys = ((oldPrimary && newPrimary) || (oldUnique && newUnique)) && oldType !== newType;
    const related = dropForeignKeys || (!oldPrimary && newPrimary) ? this.relationsTo(model, oldField) : [];
    if (dropForeignKeys) for (const relation of related) this.dropForeignKeys(relation.model.table, this.column(relation.field));
    if (oldIndex && !oldUnique && (!newIndex || newUnique)) {
      for (const name of this.introspected.table(table).names({ columns: [oldColumn], index: true, btree: true, exclude: this.metaNames(model, 'indexes') })) {
        this.execute(`DROP INDEX IF EXISTS ${this.q(name)}`, undefined, { indexTable: table });
        this.schema.update(table, (t) => t.without(name));
      }
    }
    if (oldParams.check !== newParams.check && oldParams.check) {
      for (const name of this.introspected.table(table).names({ columns: [oldColumn], check: true, exclude: metaConstraints })) {
        this.execute(`ALTER TABLE ${this.q(table)} DROP CONSTRAINT ${this.q(name)}`);
        this.schema.update(table, (t) => t.without(name));
      }
    }
    if (oldColumn !== newColumn) {
      this.execute(`ALTER TABLE ${this.q(table)} RENAME COLUMN ${this.q(oldColumn)} TO ${this.q(newColumn)}`);
      this.schema.update(table, (t) => t.renamingColumn(oldColumn, newColumn));
      for (const item of this.deferred) item.renameColumn(table, oldColumn, newColumn);
    }
    const actions: string[] = [];
    const nullActions: string[] = [];
    const postActions: string[] = [];
    const oldCollation = stringValue(oldField.def.kwargs['db_collation']);
    const newCollation = stringValue(newField.def.kwargs['db_collation']);
    // "Type, collation, or comment change?": PostgreSQL cannot comment in an ALTER COLUMN, so a comment change
    // re-states the column's type (an ALTER TABLE of its own) and comments after it.
    if (oldCollation !== newCollation) {
      actions.push(`ALTER COLUMN ${this.q(newColumn)} TYPE ${newType}${newCollation ? ` COLLATE ${this.q(newCollation)}` : ''}`);
    } else if (oldType !== newType || commentChanged) {
      const typeChange = this.alterColumnType(table, newColumn, oldField, newField, oldType, newType, model, newModel);
      actions.push(typeChange.fragment);
      postActions.push(...typeChange.post);
    }
    if (commentChanged) postActions.push(this.columnCommentSql(table, newColumn, newComment));
    let needsDatabaseDefault = false;
    let newDefault: SqlValue | undefined;
    if (oldNull && !newNull) {
      const oldValue = effectiveDefaultSql(oldField.def, this.database);
      const newValue = effectiveDefaultSql(newField.def, this.database);
      if (oldValue === null || newValue === null) throw new UnknownSql(`the default of ${newField.name}`);
      if (newValue && oldValue?.sql !== newValue.sql) {
        needsDatabaseDefault = true;
        newDefault = newValue;
        actions.push(`ALTER COLUMN ${this.q(newColumn)} SET DEFAULT ${newValue.sql}`);
      }
    }
    if (oldNull !== newNull) nullActions.push(`ALTER COLUMN ${this.q(newColumn)} ${newNull ? 'DROP NOT NULL' : 'SET NOT NULL'}`);
    const explicitDefault = newField.def.kwargs['default'];
    const fourWay = explicitDefault !== undefined && explicitDefault.kind !== 'none' && oldNull && !newNull;
    if (actions.length > 0 || nullActions.length > 0) {
      const combined = fourWay ? actions : [...actions, ...nullActions];
      const hints: StatementHints | undefined = oldType !== newType || commentChanged ? { typeChangeRewrites: typeChangeRewrites(oldType, newType) } : undefined;
      if (combined.length > 0) this.execute(`ALTER TABLE ${this.q(table)} ${combined.join(', ')}`, newDefault, hints);
      if (fourWay) {
        const value = effectiveDefaultSql(newField.def, this.database);
        if (!value) throw new UnknownSql(`the default of ${newField.name}`);
        this.execute(`UPDATE ${this.q(table)} SET ${this.q(newColumn)} = ${value.sql} WHERE ${this.q(newColumn)} IS NULL`, value);
        for (const action of nullActions) this.execute(`ALTER TABLE ${this.q(table)} ${action}`);
      }
    }
    for (const action of postActions) this.execute(action);
    if (oldPrimary && !newPrimary) {
      for (const name of this.introspected.table(table).names({ primaryKey: true })) {
        this.execute(`ALTER TABLE ${this.q(table)} DROP CONSTRAINT ${this.q(name)}`);
        this.schema.update(table, (t) => t.without(name));
      }
    }
    if ((!oldUnique && newUnique) || (oldPrimary && !newPrimary && newUnique)) {
      this.execute(this.uniqueSql(table, [newColumn]));
      this.schema.update(table, (t) => t.with({ name: createIndexName(table, [newColumn], '_uniq', this.database), kind: 'unique', columns: [newColumn] }));
    }
    if ((!oldIndex || oldUnique) && newIndex && !newUnique) {
      this.execute(this.createIndexSql(table, [{ column: newColumn }]));
      this.recordIndex(this.schema, table, createIndexName(table, [newColumn], '', this.database), [newColumn]);
    }
    if (!oldPrimary && newPrimary) {
      const name = createIndexName(table, [newColumn], '_pk', this.database);
      this.execute(`ALTER TABLE ${this.q(table)} ADD CONSTRAINT ${this.q(name)} PRIMARY KEY (${this.q(newColumn)})`);
      this.schema.update(table, (t) => t.with({ name, kind: 'pk', columns: [newColumn] }));
    }
    if (dropForeignKeys || (!oldPrimary && newPrimary)) {
      const relType = newParams.relType;
      if (relType === undefined) throw new UnknownSql(`the type of the keys pointing at ${newField.name}`);
      for (const relation of related) {
        const column = this.column(relation.field);
        const oldRelType = dbParams(relation.model, relation.field, this.lookup, this.options).type;
        const using = oldRelType !== relType ? ` USING ${this.q(column)}::${relType}` : '';
        this.execute(`ALTER TABLE ${this.q(relation.model.table)} ALTER COLUMN ${this.q(column)} TYPE ${relType}${using}`, undefined, { typeChangeRewrites: oldRelType === undefined ? true : typeChangeRewrites(oldRelType, relType) });
      }
    }
    if (/ForeignKey|OneToOneField/.test(newField.def.type) && (fksDropped || !/ForeignKey|OneToOneField/.test(oldField.def.type) || hasDbConstraint(oldField.def) === false) && hasDbConstraint(newField.def)) {
      this.addForeignKey(newModel, newField, '_fk_%(to_table)s_%(to_column)s');
    }
    if (dropForeignKeys) {
      for (const relation of related) if (hasDbConstraint(relation.field.def)) this.addForeignKey(relation.model, relation.field, '_fk');
    }
    if (oldParams.check !== newParams.check && newParams.check) {
      const name = createIndexName(table, [newColumn], '_check', this.database);
      this.execute(`ALTER TABLE ${this.q(table)} ADD CONSTRAINT ${this.q(name)} CHECK (${newParams.check})`);
      this.schema.update(table, (t) => t.with({ name, kind: 'check', columns: [newColumn] }));
    }
    if (needsDatabaseDefault) this.execute(`ALTER TABLE ${this.q(table)} ALTER COLUMN ${this.q(newColumn)} DROP DEFAULT`);
    // PostgreSQL: the _like index follows the column becoming (or no longer being) indexed or unique.
    if ((!(oldIndex || oldUnique) && newIndex) || (!oldUnique && newUnique)) {
      const like = this.likeIndex(newModel, newField);
      if (like) {
        this.execute(like.render(table, like.columns));
        this.recordIndex(this.schema, table, like.name, like.columns);
      }
    }
    if (oldUnique && !(newIndex || newUnique)) {
      const name = createIndexName(table, [oldColumn], '_like', this.database);
      this.execute(`DROP INDEX IF EXISTS ${this.q(name)}`, undefined, { indexTable: table });
      this.schema.update(table, (t) => t.without(name));
    }
  }

  /** PostgreSQL's _alter_column_type_sql: USING when the data type changes; serial columns get their sequence redone. */
  private alterColumnType(table: string, column: string, oldField: SqlField, newField: SqlField, oldType: string, newType: string, model: SqlModel, newModel: SqlModel): { fragment: string; post: string[] } {
    const dataType = (m: SqlModel, field: SqlField, type: string): string => (/ForeignKey|OneToOneField/.test(field.def.type) ? (dbParams(m, field, this.lookup, this.options).type ?? type) : type.replace(/\(.*\)$/, '()'));
    const using = dataType(model, oldField, oldType) !== dataType(newModel, newField, newType);
    const serial: Record<string, string> = { bigserial: 'bigint', serial: 'integer', smallserial: 'smallint' };
    const sequence = `${table}_${column}_seq`;
    const typeSql = (type: string): string => `ALTER COLUMN ${this.q(column)} TYPE ${type}${using ? ` USING ${this.q(column)}::${type}` : ''}`;
    const target = serial[newType.toLowerCase()];
    if (target) {
      return {
        fragment: typeSql(target),
        post: [
          `DROP SEQUENCE IF EXISTS ${this.q(sequence)} CASCADE`,
          `CREATE SEQUENCE ${this.q(sequence)}`,
          `ALTER TABLE ${this.q(table)} ALTER COLUMN ${this.q(column)} SET DEFAULT nextval('${this.q(sequence)}')`,
          `SELECT setval('${this.q(sequence)}', MAX(${this.q(column)})) FROM ${this.q(table)}`,
          `ALTER SEQUENCE ${this.q(sequence)} OWNED BY ${this.q(table)}.${this.q(column)}`,
        ],
      };
    }
    if (serial[oldType.toLowerCase()]) return { fragment: typeSql(newType), post: [`DROP SEQUENCE IF EXISTS ${this.q(sequence)} CASCADE`] };
    return { fragment: typeSql(newType), post: [] };
  }
}

/** Whether PostgreSQL rewrites the table for `ALTER COLUMN ... TYPE new` from `old` (per django/columns.ts). */
export function typeChangeRewrites(oldType: string, newType: string): boolean {
  const parse = (sql: string): ColumnType => {
    const serial: Record<string, string> = { serial: 'integer', bigserial: 'bigint', smallserial: 'smallint' };
    const plain = serial[sql] ?? sql;
    const match = /^(\w[\w ]*?)\((\d+)(?:,\s*(\d+))?\)$/.exec(plain);
    if (!match) return { base: plain, ...(plain === 'varchar' ? { length: null } : {}), sql: plain };
    const base = (match[1] as string).trim();
    if (base === 'numeric') return { base, precision: Number(match[2]), scale: Number(match[3] ?? 0), sql: plain };
    return { base, length: Number(match[2]), sql: plain };
  };
  return compareColumnTypes(parse(oldType), parse(newType), 'postgresql').kind === 'rewrite';
}
