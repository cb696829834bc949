// Per-operation facts for one analysis of one file: the state before each operation, the model and field it targets,
// and the SQL Django would run for it with each statement's locks, plus the readers rules use to ask for them
// (perOperationFact, modelNames, changesExistingTable...). Every fact is computed on first read and then kept,
// so the dozen rules (and the hover) that ask about the same operation share one computation. A FileFacts belongs to
// one version of the project under one configuration: the analysis makes a new one whenever either changes.
import type { Database } from '../config/types';
import type { OperationSql } from '../django/sql/migrationSql';
import { statementEffects } from '../django/sql/statementEffects';
import type { MigrationModel, Operation } from '../python/model';
import { concreteModel, isUnmanagedOrProxy } from '../django/modelOptions';
import { calleeName, constraintCall, runsAgainstDatabase, stringValue, targetFieldName, targetModel, writtenModelName } from '../django/operations';
import type { CallExpr } from '../python/model';
import type { StateView } from '../state/types';
import type { FileContext, ModelNames, OperationFacts, OperationSqlFacts } from './rule';

/** What FileFacts reads from the project: the replayed states and the generated SQL. */
export interface FactsSource {
  file: MigrationModel;
  database: Database;
  postgresVersion: number;
  stateBefore(op: Operation): StateView;
  /** The SQL of the file's top-level operations, generated on first request. */
  migrationSql(): readonly OperationSql[] | undefined;
  /** A top-level operation's SQL generated on its own (placeholder names for dropped constraints): for locks. */
  estimatedSql(op: Operation): OperationSql | undefined;
}

/** How often facts were computed, for tests that check a fact is computed once however many rules read it. */
export const factsWork = { operations: 0, stateBefore: 0, model: 0, sql: 0 };

export class FileFacts {
  private readonly byOperation = new Map<Operation, OperationFacts>();
  private sqlByOperation: Map<Operation | string, OperationSql> | undefined;

  constructor(private readonly source: FactsSource) {}

  get file(): MigrationModel {
    return this.source.file;
  }

  facts(op: Operation): OperationFacts {
    let facts = this.byOperation.get(op);
    if (!facts) {
      facts = new LazyOperationFacts(op, this);
      this.byOperation.set(op, facts);
      factsWork.operations++;
    }
    return facts;
  }

  /** @internal */ stateBefore(op: Operation): StateView {
    factsWork.stateBefore++;
    return this.source.stateBefore(op);
  }

  /** @internal */ modelNames(facts: OperationFacts): ModelNames | undefined {
    factsWork.model++;
    const key = facts.modelKey;
    if (!key) return undefined;
    const app = this.source.file.app;
    const state = facts.stateBefore;
    const model = state.model(app, key);
    const written = writtenModelName(facts.op) ?? key;
    const concrete = model ? concreteModel(state, model) : undefined;
    const dbTable = stringValue(concrete?.options['db_table']);
    return {
      app,
      key,
      label: `${app}.${model?.name ?? written}`,
      table: dbTable ?? (concrete && concrete !== model ? `${concrete.app}_${concrete.key}` : `${app}_${key}`),
      explicitTable: dbTable !== undefined,
    };
  }

  /** @internal */ changesExistingTable(facts: OperationFacts): boolean {
    if (!facts.touchesDatabase) return false;
    const key = facts.modelKey;
    if (!key) return true;
    const state = facts.stateBefore;
    const app = this.source.file.app;
    if (state.createdInSameMigration(app, key)) return false;
    // Django issues no SQL for an unmanaged or proxy model.
    const model = state.model(app, key);
    return !model || !isUnmanagedOrProxy(model);
  }

  /** @internal */ sql(op: Operation, estimated = false): OperationSqlFacts | undefined {
    factsWork.sql++;
    let top = op;
    for (let depth = 0; top.parent && depth < 16; depth++) top = top.parent;
    let generated: OperationSql | undefined;
    if (estimated) {
      generated = this.source.estimatedSql(top);
    } else {
      const byOperation = (this.sqlByOperation ??= indexByOperation(this.source.migrationSql()));
      generated = byOperation.get(top) ?? byOperation.get(positionKey(top));
    }
    if (!generated) return undefined;
    const { database, postgresVersion } = this.source;
    return { generated, statements: generated.statements.flatMap((statement) => statementEffects(statement, database, postgresVersion)) };
  }
}

function indexByOperation(operations: readonly OperationSql[] | undefined): Map<Operation | string, OperationSql> {
  const byOperation = new Map<Operation | string, OperationSql>();
  for (const entry of operations ?? []) {
    byOperation.set(entry.operation, entry);
    byOperation.set(positionKey(entry.operation), entry);
  }
  return byOperation;
}

/** The same operation in another parse of the same text (the SQL cache may hold an earlier model object). */
function positionKey(op: Operation): string {
  return `${op.span.start}:${op.name}`;
}

const UNSET = Symbol('unset');

class LazyOperationFacts implements OperationFacts {
  readonly touchesDatabase: boolean;
  readonly modelKey: string | undefined;
  readonly fieldName: string | undefined;
  private stateValue: StateView | typeof UNSET = UNSET;
  private modelValue: ModelNames | undefined | typeof UNSET = UNSET;
  private existingValue: boolean | typeof UNSET = UNSET;
  private sqlValue: OperationSqlFacts | undefined | typeof UNSET = UNSET;
  private lockSqlValue: OperationSqlFacts | undefined | typeof UNSET = UNSET;
  private derivedValues: Map<object, unknown> | undefined;

  constructor(
    readonly op: Operation,
    private readonly owner: FileFacts,
  ) {
    this.touchesDatabase = runsAgainstDatabase(op);
    this.modelKey = targetModel(op);
    this.fieldName = targetFieldName(op);
  }

  get stateBefore(): StateView {
    if (this.stateValue === UNSET) this.stateValue = this.owner.stateBefore(this.op);
    return this.stateValue;
  }

  get model(): ModelNames | undefined {
    if (this.modelValue === UNSET) this.modelValue = this.owner.modelNames(this);
    return this.modelValue;
  }

  get changesExistingTable(): boolean {
    if (this.existingValue === UNSET) this.existingValue = this.owner.changesExistingTable(this);
    return this.existingValue;
  }

  get sql(): OperationSqlFacts | undefined {
    if (this.sqlValue === UNSET) this.sqlValue = this.owner.sql(this.op);
    return this.sqlValue;
  }

  get lockSql(): OperationSqlFacts | undefined {
    if (this.lockSqlValue === UNSET) this.lockSqlValue = this.owner.sql(this.op, true);
    return this.lockSqlValue;
  }

  derived<T>(key: object, compute: () => T): T {
    this.derivedValues ??= new Map();
    if (this.derivedValues.has(key)) return this.derivedValues.get(key) as T;
    const value = compute();
    this.derivedValues.set(key, value);
    return value;
  }
}

// --- readers over the facts, for rules ---

/**
 * Wraps a fact about one operation of the file being analysed so that it is computed once however many rules ask
 * (a dozen rules read the same field definitions and table facts of every operation). The value is kept with the
 * operation's facts (`ctx.facts(op)`), which live for one analysis of one file: a later analysis, with possibly
 * another replayed state, starts afresh. Callers must treat the result as read-only.
 */
export function perOperationFact<T>(compute: (ctx: FileContext, op: Operation) => T): (ctx: FileContext, op: Operation) => T {
  const key = {};
  return (ctx, op) => ctx.facts(op).derived(key, () => compute(ctx, op));
}

/** Names of the model an operation targets, read from the state right before it. */
export function modelNames(ctx: FileContext, op: Operation): ModelNames | undefined {
  return ctx.facts(op).model;
}

/** True when Django issues no SQL for the model: `managed=False` or a proxy model in the replayed state. */
export function isUnmanagedModel(ctx: FileContext, op: Operation): boolean {
  const key = targetModel(op);
  if (!key) return false;
  const model = ctx.facts(op).stateBefore.model(ctx.file.app, key);
  return model !== undefined && isUnmanagedOrProxy(model);
}

/** The operation runs SQL against a table that already holds rows: not state-only, not a table created
 *  earlier in this migration, not an unmanaged or proxy model. */
export function changesExistingTable(ctx: FileContext, op: Operation): boolean {
  return ctx.facts(op).changesExistingTable;
}

/** An AddConstraint of one constraint class (`CheckConstraint`, `UniqueConstraint`...) on a table that holds rows. */
export interface AddedConstraint {
  call: CallExpr;
  names: ModelNames;
  /** The constraint's literal `name=`. */
  name?: string;
}

export function readAddedConstraint(ctx: FileContext, op: Operation, constraintClass: string): AddedConstraint | undefined {
  if (op.name !== 'AddConstraint' || !changesExistingTable(ctx, op)) return undefined;
  const call = constraintCall(op);
  const names = call && calleeName(call) === constraintClass ? modelNames(ctx, op) : undefined;
  if (!call || !names) return undefined;
  const name = stringValue(call.kwargs['name']);
  return name === undefined ? { call, names } : { call, names, name };
}
