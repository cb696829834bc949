// Shapes of the replayed project state: what each model's fields looked like at a point in the migration graph.
import type { CallExpr, Expr } from '../python/model';

/** A field definition as written in a migration, e.g. `models.CharField(max_length=20, null=True)`. */
export interface FieldDef {
  /** Field class name: `CharField`, `ForeignKey`, `BigAutoField`, `GeneratedField`, or the last dotted part of a custom class. */
  type: string;
  /** Fully qualified through imports when known (`django.db.models.CharField`). */
  qualifiedType: string;
  /** The call that defines it, when known (absent for fields whose definition could not be read). */
  call?: CallExpr;
  kwargs: Record<string, Expr>;
}

export interface ModelState {
  app: string;
  /** Lower-cased model name, as Django keys models in state. */
  key: string;
  /** Model name as last written. */
  name: string;
  /** Fields by lower-cased field name, in declaration order (a persistent map shared between snapshots: read-only). */
  fields: ReadonlyMap<string, FieldDef>;
  /** Raw `options` dict entries (db_table, unique_together, index_together, ...). */
  options: Record<string, Expr>;
  /** Model bases named as `"app.model"` (lower-cased) in CreateModel's `bases`: a proxy's concrete parent is among them. */
  bases?: readonly string[];
  /** Where the model was created: migration name (app-local) and operation index. */
  createdIn?: { migration: string; operationIndex: number };
}

/** The state of all known apps just before one operation runs. */
export interface StateView {
  /** The model as it is right before the operation, or undefined when unknown (created outside the workspace, history unparsable). */
  model(app: string, modelName: string): ModelState | undefined;
  /** The field right before the operation; undefined when the model or field is unknown. */
  field(app: string, modelName: string, fieldName: string): FieldDef | undefined;
  /** True when the model was created by an earlier operation of the same migration (an empty, unreferenced table). */
  createdInSameMigration(app: string, modelName: string): boolean;
  /** True when every migration this one depends on (transitively, in the same app) was found and parsed, so an unknown model really is unknown. */
  historyComplete(app: string): boolean;
  /** Every model of an app right before the operation (for finding a model by its table). */
  models(app: string): ModelState[];
  /** The app labels the project has migrations for. */
  apps(): readonly string[];
}

/** A node of the migration graph. */
export interface GraphNode {
  app: string;
  name: string;
  path: string;
  dependencies: { app: string; name: string }[];
  replaces: { app: string; name: string }[];
}
