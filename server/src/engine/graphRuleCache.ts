// Graph rules' findings kept between analyses of an incremental Project, so an edit re-runs only the graph rules
// whose inputs it changed (GraphRuleInputs in rules/rule.ts): `graph` rules when some file's header changed, `app`
// rules for the edited file's app only, `workspace` rules after every change. A batch analysis runs each rule once.
import { normalizePath } from './python/migrationPath';
import type { MigrationModel } from './python/model';
import type { GraphContext, GraphRule, RawFinding } from './rules/rule';
import type { Severity } from './types';
import type { MigrationGraph } from './state/graph';
import type { GraphNode } from './state/types';

/** What the Project tells the cache about its files. Versions only grow. */
export interface GraphRuleSources {
  /** Bumped on every change to the project. */
  version: number;
  /** The version at which some file's graphRuleSignature last changed (or a file came or went). */
  headerVersion: number;
  /** The version at which the graph structure (graphStructureSignature, the file set) last changed. */
  structureVersion: number;
  /** Apps changed after `version` (each listed once). */
  appsChangedSince(version: number): Iterable<string>;
  /** Every parsed migration, in the Project's file order (the same array while the project is unchanged). */
  files(): readonly MigrationModel[];
  nodes(): readonly GraphNode[];
  graph(): MigrationGraph;
  hasDependents(file: MigrationModel): boolean;
}

export interface ActiveGraphRule {
  rule: GraphRule;
  severity: Severity;
}

export interface GraphRuleFinding {
  rule: string;
  severity: Severity;
  raw: RawFinding;
}

export interface GraphFindings {
  /** The findings for a file of the given app. */
  findingsFor(path: string, app: string): GraphRuleFinding[];
  /** Graph rules that ran to completion (an ignore for a rule that failed cannot be judged). */
  evaluated: ReadonlySet<string>;
  /** One message per failed rule. */
  failures: { rule: string; message: string }[];
}

interface Outcome {
  byFile: Map<string, RawFinding[]>;
  failure?: string;
}

interface RuleRun {
  severity: Severity;
  /** The input version the findings are current for (project, header or structure version, by dependsOn). */
  upToDate: number;
  /** `workspace` and `graph` rules: one outcome for the whole project. */
  whole?: Outcome;
  /** `app` rules: one outcome per app. */
  byApp?: Map<string, Outcome>;
}

interface FactEntry {
  model: MigrationModel;
  values: unknown[];
  serialized: string;
}

interface FactStore {
  ruleId: string;
  extract: (file: MigrationModel) => unknown[];
  byPath: Map<string, FactEntry>;
}

export class GraphRuleCache {
  private configKey: string | undefined;
  private readonly runs = new Map<string, RuleRun>();
  /** Workspace facts by rule id and key; they do not depend on the configuration, so they outlive it. */
  private readonly facts = new Map<string, FactStore>();

  /** Brings every active rule up to date and returns their findings. */
  update(active: readonly ActiveGraphRule[], configKey: string, context: Pick<GraphContext, 'config'>, sources: GraphRuleSources): GraphFindings {
    if (configKey !== this.configKey) {
      this.runs.clear();
      this.configKey = configKey;
    }
    // The app rules re-checking the same apps get the same files array, so what they compute from it (such as
    // latestFieldDefinitions) is computed once for all of them.
    const appFiles = new Map<string, MigrationModel[]>();
    for (const { rule, severity } of active) {
      const dependsOn = rule.dependsOn ?? 'workspace';
      if (dependsOn === 'app') this.updateAppRule(rule, severity, context, sources, appFiles);
      else this.updateWholeRule(rule, severity, context, sources, dependsOn === 'graph' ? sources.headerVersion : sources.version);
    }
    return this.findings(active);
  }

  private updateWholeRule(rule: GraphRule, severity: Severity, context: Pick<GraphContext, 'config'>, sources: GraphRuleSources, inputVersion: number): void {
    const previous = this.runs.get(rule.id);
    if (previous?.whole && previous.upToDate === inputVersion) return;
    const outcome: Outcome = { byFile: new Map() };
    const failure = this.check(rule, context, sources, sources.files() as MigrationModel[], (path, raw) => addFinding(outcome, path, raw));
    if (failure !== undefined) outcome.failure = failure;
    this.runs.set(rule.id, { severity, upToDate: inputVersion, whole: outcome });
  }

  /**
   * Re-checks only the apps changed since the last run, unless the graph changed or an edited file's workspace
   * facts did: then every app.
   */
  private updateAppRule(rule: GraphRule, severity: Severity, context: Pick<GraphContext, 'config'>, sources: GraphRuleSources, appFilesByKey: Map<string, MigrationModel[]>): void {
    const previous = this.runs.get(rule.id);
    let byApp = previous?.byApp;
    let changed: Set<string> | undefined;
    if (byApp && previous && previous.upToDate >= sources.structureVersion) {
      changed = new Set(sources.appsChangedSince(previous.upToDate));
      if (changed.size === 0) return;
      if (this.factsChanged(rule.id, changed, sources)) changed = undefined;
    }
    const files = sources.files();
    if (!changed || !byApp) {
      byApp = new Map();
      for (const file of files) if (!byApp.has(file.app)) byApp.set(file.app, { byFile: new Map() });
      this.checkApps(rule, context, sources, files as MigrationModel[], byApp, undefined);
    } else {
      for (const app of changed) byApp.set(app, { byFile: new Map() });
      const key = [...changed].sort().join('\u0000');
      let appFiles = appFilesByKey.get(key);
      if (!appFiles) {
        appFiles = files.filter((file) => changed.has(file.app));
        appFilesByKey.set(key, appFiles);
      }
      const present = new Set(appFiles.map((file) => file.app));
      for (const app of changed) if (!present.has(app)) byApp.delete(app);
      if (appFiles.length > 0) this.checkApps(rule, context, sources, appFiles, byApp, changed);
    }
    this.runs.set(rule.id, { severity, upToDate: sources.version, byApp });
  }

  private checkApps(
    rule: GraphRule,
    context: Pick<GraphContext, 'config'>,
    sources: GraphRuleSources,
    files: MigrationModel[],
    byApp: Map<string, Outcome>,
    onlyApps: ReadonlySet<string> | undefined,
  ): void {
    const appOfPath = new Map(files.map((file) => [file.path, file.app]));
    const failure = this.check(rule, context, sources, files, (path, raw) => {
      // A report on a file outside ctx.files breaks the `app` contract; keeping it would leave it stale later.
      const app = appOfPath.get(path);
      const outcome = app === undefined ? undefined : byApp.get(app);
      if (outcome) addFinding(outcome, path, raw);
    });
    if (failure === undefined) return;
    for (const [app, outcome] of byApp) if (!onlyApps || onlyApps.has(app)) outcome.failure = failure;
  }

  /** Runs a rule; returns its failure message, if it threw (what it reported before is kept, as for any rule). */
  private check(
    rule: GraphRule,
    context: Pick<GraphContext, 'config'>,
    sources: GraphRuleSources,
    files: MigrationModel[],
    report: (path: string, raw: RawFinding) => void,
  ): string | undefined {
    const ctx: GraphContext = {
      config: context.config,
      files,
      nodes: sources.nodes() as GraphNode[],
      graph: sources.graph(),
      workspaceFacts: <T>(key: string, extract: (file: MigrationModel) => T[]): T[] => this.workspaceFacts(rule.id, key, extract, sources) as T[],
      report: (path, raw) => report(normalizePath(path), raw),
      hasDependents: (file) => sources.hasDependents(file),
    };
    try {
      rule.check(ctx);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  private workspaceFacts(ruleId: string, key: string, extract: (file: MigrationModel) => unknown[], sources: GraphRuleSources): unknown[] {
    const storeKey = `${ruleId}\u0000${key}`;
    let store = this.facts.get(storeKey);
    if (!store) {
      store = { ruleId, extract, byPath: new Map() };
      this.facts.set(storeKey, store);
    }
    store.extract = extract;
    const files = sources.files();
    const result: unknown[] = [];
    for (const file of files) {
      for (const value of factEntry(store, file).values) result.push(value);
    }
    if (store.byPath.size > files.length) {
      const present = new Set(files.map((file) => file.path));
      for (const path of store.byPath.keys()) if (!present.has(path)) store.byPath.delete(path);
    }
    return result;
  }

  /** True when a file of the changed apps now yields different workspace facts for this rule (or left with some). */
  private factsChanged(ruleId: string, changedApps: ReadonlySet<string>, sources: GraphRuleSources): boolean {
    let changed = false;
    for (const store of this.facts.values()) {
      if (store.ruleId !== ruleId) continue;
      const present = new Set<string>();
      for (const file of sources.files()) {
        if (!changedApps.has(file.app)) continue;
        present.add(file.path);
        const before = store.byPath.get(file.path);
        if (before?.model === file) continue;
        try {
          if (factEntry(store, file).serialized !== (before?.serialized ?? '[]')) changed = true;
        } catch {
          // The rule's own run will hit (and report) the same failure.
          return true;
        }
      }
      for (const [path, entry] of store.byPath) {
        if (changedApps.has(entry.model.app) && !present.has(path)) {
          if (entry.serialized !== '[]') changed = true;
          store.byPath.delete(path);
        }
      }
    }
    return changed;
  }

  private findings(active: readonly ActiveGraphRule[]): GraphFindings {
    const runs = active.map(({ rule }) => ({ id: rule.id, run: this.runs.get(rule.id) as RuleRun }));
    const evaluated = new Set<string>();
    const failures: { rule: string; message: string }[] = [];
    for (const { id, run } of runs) {
      const outcomes = run.whole ? [run.whole] : [...(run.byApp?.values() ?? [])];
      const failure = outcomes.find((outcome) => outcome.failure !== undefined)?.failure;
      if (failure === undefined) evaluated.add(id);
      else failures.push({ rule: id, message: failure });
    }
    return {
      evaluated,
      failures,
      findingsFor: (path, app) => {
        const found: GraphRuleFinding[] = [];
        for (const { id, run } of runs) {
          const outcome = run.whole ?? run.byApp?.get(app);
          for (const raw of outcome?.byFile.get(path) ?? []) found.push({ rule: id, severity: run.severity, raw });
        }
        return found;
      },
    };
  }
}

function addFinding(outcome: Outcome, path: string, raw: RawFinding): void {
  const list = outcome.byFile.get(path);
  if (list) list.push(raw);
  else outcome.byFile.set(path, [raw]);
}

function factEntry(store: FactStore, file: MigrationModel): FactEntry {
  const cached = store.byPath.get(file.path);
  if (cached?.model === file) return cached;
  const values = store.extract(file);
  const entry = { model: file, values, serialized: JSON.stringify(values) };
  store.byPath.set(file.path, entry);
  return entry;
}

