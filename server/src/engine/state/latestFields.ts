// The definition every field has at the end of the workspace's history, for graph rules that judge a field by what it
// finally is (an AutoField later altered to BigAutoField is fixed). Walks each app's migrations in the graph's order.
import { createModelFields, fieldCall, opArg, stringValue, targetModel, writtenModelName } from '../django/operations';
import type { CallExpr, MigrationModel, Operation } from '../python/model';
import { migrationKey, type MigrationGraph } from './graph';

/** The operation that last defined a field, at the end of the workspace's history. */
export interface LatestFieldDefinition {
  file: MigrationModel;
  /** CreateModel (the field is one of its entries), AddField or AlterField. */
  op: Operation;
  app: string;
  /** Lower-cased model name. */
  model: string;
  /** The model name as written in the operation, for messages. */
  modelLabel: string;
  field: string;
  call: CallExpr;
}

/**
 * For every field that still exists after the last migration, the operation that defined it last, walking each app's
 * migrations in the graph's order (originals replaced by a present squashed migration are skipped, as Django skips
 * them). Fields that were removed, renamed (the column's fate is then unsure) or whose model was deleted or renamed
 * are left out.
 */
export function latestFieldDefinitions(files: readonly MigrationModel[], graph: MigrationGraph): LatestFieldDefinition[] {
  // Graph rules of one analysis share the same files array and graph: compute once for all of them.
  const cached = latestDefinitionsCache.get(files);
  if (cached?.graph === graph) return cached.definitions;
  const replacements = graph.squashReplacements();
  /** `app:model` -> lower-cased field name -> latest definition (undefined once removed or renamed). */
  const models = new Map<string, Map<string, LatestFieldDefinition | undefined>>();
  const apps = [...new Set(files.map((file) => file.app))].sort();
  for (const app of apps) {
    for (const file of graph.inAppOrder(app, files)) {
      if (replacements.has(migrationKey(file.app, file.name))) continue;
      for (const action of fieldActionsOf(file)) {
        if (action.kind === 'forget') {
          models.delete(action.modelKey);
          continue;
        }
        const fields = models.get(action.modelKey) ?? new Map<string, LatestFieldDefinition | undefined>();
        models.set(action.modelKey, fields);
        fields.set(action.field, action.definition);
      }
    }
  }
  const definitions: LatestFieldDefinition[] = [];
  for (const fields of models.values()) {
    for (const definition of fields.values()) if (definition) definitions.push(definition);
  }
  latestDefinitionsCache.set(files, { graph, definitions });
  return definitions;
}

const latestDefinitionsCache = new WeakMap<readonly MigrationModel[], { graph: MigrationGraph; definitions: LatestFieldDefinition[] }>();

/**
 * What one migration does to the fields, in order: forget a model's fields (CreateModel starts afresh, DeleteModel
 * and RenameModel end them), or set a field's latest definition (undefined: removed or renamed). Read once per
 * version of a file: on a keystroke only the edited file is read again, and the walk above only replays these lists.
 */
type FieldAction = { kind: 'forget'; modelKey: string } | { kind: 'define'; modelKey: string; field: string; definition: LatestFieldDefinition | undefined };

const actionsByFile = new WeakMap<MigrationModel, readonly FieldAction[]>();

function fieldActionsOf(file: MigrationModel): readonly FieldAction[] {
  let actions = actionsByFile.get(file);
  if (!actions) {
    const found: FieldAction[] = [];
    for (const op of file.allOperations) readOperation(found, file, op);
    actions = found;
    actionsByFile.set(file, actions);
  }
  return actions;
}

function readOperation(actions: FieldAction[], file: MigrationModel, op: Operation): void {
  const model = op.name === 'RenameModel' ? stringValue(opArg(op, 'old_name'))?.toLowerCase() : targetModel(op);
  if (!model) return;
  const modelKey = `${file.app}:${model}`;
  const define = (field: string | undefined, call: CallExpr | undefined): void => {
    if (field === undefined) return;
    const modelLabel = writtenModelName(op) ?? model;
    actions.push({ kind: 'define', modelKey, field: field.toLowerCase(), definition: call ? { file, op, app: file.app, model, modelLabel, field, call } : undefined });
  };
  switch (op.name) {
    case 'CreateModel':
      actions.push({ kind: 'forget', modelKey });
      for (const entry of createModelFields(op)) define(entry.name, entry.field);
      break;
    case 'AddField':
    case 'AlterField':
      define(stringValue(opArg(op, 'name')), fieldCall(op));
      break;
    case 'RemoveField':
      define(stringValue(opArg(op, 'name')), undefined);
      break;
    case 'RenameField':
      define(stringValue(opArg(op, 'old_name')), undefined);
      define(stringValue(opArg(op, 'new_name')), undefined);
      break;
    case 'DeleteModel':
    case 'RenameModel':
      actions.push({ kind: 'forget', modelKey });
      break;
  }
}
