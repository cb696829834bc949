// What the editor features read from a project: its migration graph and the states the diagnostics already replayed.
// The Project hands this out (Project.navigation()); nothing here replays anything again.
import type { MigrationModel, Operation } from '../python/model';
import type { MigrationGraph, MigrationKey } from '../state/graph';
import type { ModelState, StateView } from '../state/types';

export interface NavigationSource {
  graph: MigrationGraph;
  /** The replayed state right before an operation of a file (cached per operation by the replayer). */
  stateBefore(model: MigrationModel, op: Operation): StateView;
  /** Every model of the migration's app after it ran. */
  modelsAfter(key: MigrationKey): ModelState[];
}

/** A place in a migration file: the file's model (for its text) and a span of that text. */
export interface NavigationLocation {
  model: MigrationModel;
  span: { start: number; end: number };
}
