// The one entry point every front door calls. `analyze` is the pure batch form (CLI, tests); `Project` keeps parse
// trees, models, the migration graph and replayed states between calls so the language server re-analyses one
// edited file without starting over.
//
// Pipeline per file: skip binary, excluded and IgnoreMigration files; run the enabled file rules for the effective
// database; add the graph rules' findings (run once over all files, then after an edit only the rules and apps whose
// inputs changed, see graphRuleCache.ts); apply ignore comments; report unused ignores; turn spans into positions; sort.
import type { Tree } from '@lezer/common';
import type { Suppressible } from './config/ignoreComments';
import { ProjectPolicy, ruleSeverity } from './config/projectPolicy';
import type { Database, ResolvedConfig } from './config/types';
import { detectDatabase } from './config/vendor';
import { GraphRuleCache, type ActiveGraphRule, type GraphFindings, type GraphRuleSources } from './graphRuleCache';
import { deployPhaseOf } from './django/deployPhase';
import { ProjectLayout, type MigrationIdentity } from './django/projectLayout';
import type { NavigationSource } from './navigation/source';
import { buildMigrationModel } from './python/buildModel';
import { normalizePath } from './python/migrationPath';
import { runsOn } from './python/vendorGuards';
import type { MigrationModel, Operation, Span } from './python/model';
import { changedRange, parsePython, reparsePython, type ParsedText } from './python/parse';
import { computeLineStarts, lineOfOffset, positionOfOffset } from './python/textPositions';
import { ALL_RULES, ruleById } from './rules/index';
import type { FileContext, FileRule, Finding, MigrationStanding, OperationFacts, RawFinding, Rule, RuleCategory, Severity } from './rules/rule';
import { FileFacts } from './rules/operationFacts';
import { RuleDispatch } from './rules/dispatch';
import { applyIgnoreComments, ignorableRuleIds, UNUSED_IGNORE_RULE_ID } from './suppression';
import { MigrationGraph, graphRuleSignature, graphStructureSignature, migrationKey, type MigrationKey } from './state/graph';
import { StateReplayer } from './state/replay';
import { generateOperation, SqlReplay, type MigrationSql, type OperationSql } from './django/sql/migrationSql';
import { EstimatedSchema } from './django/sql/physicalSchema';
import { authUserModelOf, defaultAutoFieldOf } from './django/settingsFacts';
import type { GraphNode, StateView } from './state/types';
import { runsAgainstDatabase, targetModel } from './django/operations';

export interface SourceFile {
  path: string;
  text: string;
  /** A syntax tree of `text` parsed elsewhere (e.g. on a worker thread), so it is not parsed again. */
  tree?: Tree;
}

export interface FileError {
  file: string;
  message: string;
}

export interface AnalysisResult {
  findings: Finding[];
  errors: FileError[];
}

export interface AnalyzeOptions {
  config: ResolvedConfig;
  /** Texts of Django settings files (database detection when config.database is unset; MIGRATION_MODULES, INSTALLED_APPS). */
  settingsFiles?: SourceFile[];
  /** Texts of the apps' `apps.py` files, whose AppConfig labels name the apps. */
  appConfigFiles?: SourceFile[];
  /** The layout built already (the CLI needs it to find the files); else built from the files above and the config. */
  layout?: ProjectLayout;
  /** The rules to run; defaults to the whole catalogue (tests pass their own). */
  rules?: readonly Rule[];
}

/**
 * Pure: analyse a set of migration files together (graph + state replay across them). Files that the project's
 * layout (apps.py labels, MIGRATION_MODULES, see django/projectLayout.ts) does not make migrations are ignored.
 */
export function analyze(files: SourceFile[], options: AnalyzeOptions): AnalysisResult {
  const project = new Project(options.rules);
  project.setLayout(layoutOf(options));
  for (const file of files) project.setFile(file.path, file.text, file.tree);
  if (options.settingsFiles) project.setSettingsFiles(options.settingsFiles);
  return project.analyzeAll(options.config);
}

interface FileEntry {
  path: string;
  text: string;
  /** The app label and migration name the layout gives the path. */
  identity: MigrationIdentity;
  /** Undefined for binary files, which are never parsed, and for files the engine failed on. */
  parsed?: ParsedText;
  model?: MigrationModel;
  /** Why a non-binary file has no model: the parser or model builder threw (a bug, reported for this file only). */
  failure?: string;
  /** graphStructureSignature of the model: an edit that keeps it keeps the graph. */
  structure: string;
  /** graphRuleSignature of the model: an edit that keeps it does not re-run `dependsOn: 'graph'` rules. */
  header: string;
}

/** A file rule enabled under the current configuration, with the severity it reports at. */
interface ActiveFileRule {
  rule: FileRule;
  severity: Severity;
}

/** The enabled file rules: those with a file-level check, and those to call per operation kind. */
class ActiveFileRules {
  readonly fileLevel: ActiveFileRule[];
  private readonly dispatch: RuleDispatch<ActiveFileRule>;

  constructor(readonly all: readonly ActiveFileRule[]) {
    this.fileLevel = all.filter((active) => active.rule.check !== undefined);
    this.dispatch = new RuleDispatch(all.filter((active) => active.rule.checkOperation !== undefined), (active) => active.rule.operations);
  }

  forOperation(op: Operation): readonly ActiveFileRule[] {
    return this.dispatch.rulesFor(op);
  }
}

/** How many files' operation facts are kept for the hover after their analysis. */
const FACTS_CACHE_FILES = 16;

/** A raw finding with the rule that produced it and the severity it is reported at. */
interface RuleFinding extends Suppressible {
  raw: RawFinding;
  severity: Severity;
}

/** Incremental form used by the language server: keeps parse trees and models per file. */
export class Project {
  private readonly files = new Map<string, FileEntry>();
  private layout = ProjectLayout.CONVENTIONAL;
  private settingsDatabase: Database | undefined;
  private graph: MigrationGraph | undefined;
  private replayer: StateReplayer | undefined;
  private structureChanged = true;
  /** Re-parsed models whose graph shape is unchanged: swapped into the graph, their replays (and descendants') dropped. */
  private readonly pendingModels = new Map<string, MigrationModel>();
  /** Bumped on every change; the versions below record when a kind of change last happened. */
  private version = 0;
  private structureVersion = 0;
  private headerVersion = 0;
  /** Per app: the version at which one of its files last changed, came or went. */
  private readonly appChangedAt = new Map<string, number>();
  private readonly graphRules = new GraphRuleCache();
  private modelsCache: { version: number; models: MigrationModel[] } | undefined;
  private nodesCache: { graph: MigrationGraph; nodes: GraphNode[] } | undefined;
  private fileRulesCache: { key: string; rules: ActiveFileRules } | undefined;
  private readonly knownRuleIds: ReadonlySet<string>;

  constructor(private readonly rules: readonly Rule[] = ALL_RULES) {
    this.knownRuleIds = ignorableRuleIds(rules.map((rule) => rule.id));
  }

  /**
   * Adds or updates a migration file; the previous tree is reused for an incremental re-parse. A `tree` parsed
   * elsewhere is used as is (it must be the parse of `text`).
   */
  setFile(path: string, text: string, tree?: Tree): void {
    const normalized = normalizePath(path);
    const identity = this.layout.identify(normalized);
    if (!identity) return;
    const previous = this.files.get(normalized);
    if (previous && previous.text === text) return;
    this.version++;
    const entry = createEntry(normalized, text, identity, previous, tree);
    this.files.set(normalized, entry);
    this.appChangedAt.set(identity.app, this.version);
    if (!previous || previous.header !== entry.header) this.headerVersion = this.version;
    if (!previous || previous.structure !== entry.structure || !entry.model) {
      this.structureChanged = true;
      this.structureVersion = this.version;
    } else if (!this.structureChanged) {
      this.pendingModels.set(normalized, entry.model);
    }
  }

  /** The syntax tree the project holds for `path` (undefined for files it does not model). */
  treeOf(path: string): Tree | undefined {
    return this.files.get(normalizePath(path))?.parsed?.tree;
  }

  /**
   * Findings of a file as they would be with `text` instead (and `extraFiles` added, never replacing a file the
   * project has): what a quick fix would leave, checked against the whole history before it is offered. The project
   * is put back as it was, with the same entries (models and parse trees kept), before this returns.
   */
  analyzeVariant(path: string, text: string, config: ResolvedConfig, extraFiles: readonly SourceFile[] = []): AnalysisResult {
    const normalized = normalizePath(path);
    const original = this.files.get(normalized);
    if (!original) return { findings: [], errors: [] };
    const extras = extraFiles.filter((file) => !this.files.has(normalizePath(file.path)) && normalizePath(file.path) !== normalized);
    try {
      this.setFile(normalized, text);
      for (const file of extras) this.setFile(file.path, file.text);
      const findings: Finding[] = [];
      const errors: FileError[] = [];
      for (const analysed of [normalized, ...extras.map((file) => file.path)]) {
        const result = this.analyzeFileWithErrors(analysed, config);
        for (const finding of result.findings) findings.push(finding);
        for (const error of result.errors) errors.push(error);
      }
      return { findings, errors };
    } finally {
      for (const file of extras) this.removeFile(file.path);
      this.restoreEntry(original);
    }
  }

  /**
   * The names of an app's migration files (a new migration takes the next number). Grouped in one pass per project
   * version: every published diagnostic and code action asks, so asking per file must not walk every file.
   */
  migrationNamesOf(app: string): readonly string[] {
    if (this.namesByApp?.version !== this.version) {
      const byApp = new Map<string, string[]>();
      for (const entry of this.files.values()) {
        const names = byApp.get(entry.identity.app);
        if (names) names.push(entry.identity.name);
        else byApp.set(entry.identity.app, [entry.identity.name]);
      }
      this.namesByApp = { version: this.version, byApp };
    }
    return this.namesByApp.byApp.get(app) ?? [];
  }

  private namesByApp: { version: number; byApp: ReadonlyMap<string, readonly string[]> } | undefined;

  /** Puts an earlier entry of a file back, recording the change as setFile would. */
  private restoreEntry(entry: FileEntry): void {
    const current = this.files.get(entry.path);
    if (current === entry) return;
    this.version++;
    this.files.set(entry.path, entry);
    this.appChangedAt.set(entry.identity.app, this.version);
    if (!current || current.header !== entry.header) this.headerVersion = this.version;
    if (!current || current.structure !== entry.structure || !entry.model) {
      this.structureChanged = true;
      this.structureVersion = this.version;
    } else if (!this.structureChanged) {
      this.pendingModels.set(entry.path, entry.model);
    }
  }

  removeFile(path: string): void {
    const normalized = normalizePath(path);
    const entry = this.files.get(normalized);
    if (entry && this.files.delete(normalized)) this.markFileSetChanged(entry.identity.app);
  }

  /**
   * Where migrations live and what their apps are called. A new layout re-labels the files already added (their
   * parse trees are kept) and drops those it no longer counts as migrations; files it newly counts must be added.
   */
  setLayout(layout: ProjectLayout): void {
    if (layout.signature === this.layout.signature) return;
    this.layout = layout;
    for (const entry of [...this.files.values()]) {
      const identity = layout.identify(entry.path);
      if (identity && identity.app === entry.identity.app && identity.name === entry.identity.name) continue;
      this.files.delete(entry.path);
      this.markFileSetChanged(entry.identity.app);
      if (!identity) continue;
      const relabelled = relabelEntry(entry, identity);
      this.files.set(entry.path, relabelled);
      this.markFileSetChanged(identity.app);
    }
  }

  /** The layout files are identified with: the CLI and the language server build it from apps.py and settings. */
  projectLayout(): ProjectLayout {
    return this.layout;
  }

  private markFileSetChanged(app: string): void {
    this.version++;
    this.structureChanged = true;
    this.structureVersion = this.version;
    this.headerVersion = this.version;
    this.appChangedAt.set(app, this.version);
  }

  setSettingsFiles(files: SourceFile[]): void {
    this.settingsDatabase = detectDatabase(files);
    this.defaultAutoField = defaultAutoFieldOf(files.map((file) => file.text));
    this.authUserModel = authUserModelOf(files.map((file) => file.text));
    this.version++;
  }

  /** DEFAULT_AUTO_FIELD from the settings files (the id class of auto-created M2M tables). */
  private defaultAutoField = 'AutoField';
  private authUserModel: string | undefined;

  model(path: string): MigrationModel | undefined {
    return this.files.get(normalizePath(path))?.model;
  }

  /** The migration files as added, with their parse trees: another Project takes them without parsing again. */
  sourceFiles(): SourceFile[] {
    return [...this.files.values()].map((entry) => (entry.parsed && entry.parsed.text === entry.text ? { path: entry.path, text: entry.text, tree: entry.parsed.tree } : { path: entry.path, text: entry.text }));
  }

  /**
   * The file's graphStructureSignature (a fixed marker for a binary file), undefined when the project lacks it: an
   * edit that keeps it keeps the migration graph.
   */
  structureSignature(path: string): string | undefined {
    return this.files.get(normalizePath(path))?.structure;
  }

  effectiveDatabase(config: ResolvedConfig): Database {
    return config.database ?? this.settingsDatabase ?? 'postgresql';
  }

  /**
   * The SQL Django would run for a migration file (what `sqlmigrate` prints), generated from the replayed history
   * without Django. Cached per graph replay and options; undefined for files outside the graph.
   */
  migrationSql(path: string, config: ResolvedConfig, defaultAutoField = this.defaultAutoField): MigrationSql | undefined {
    const model = this.model(path);
    if (!model) return undefined;
    const { graph, replayer } = this.ensureReplayer();
    const options = { database: this.effectiveDatabase(config), djangoVersion: config.djangoVersion, postgresVersion: config.postgresVersion, defaultAutoField, ...(this.authUserModel ? { authUserModel: this.authUserModel } : {}) };
    const key = JSON.stringify(options);
    if (!this.sqlCache || this.sqlCache.replayer !== replayer || this.sqlCache.graph !== graph || this.sqlCache.key !== key) {
      this.sqlCache = { replayer, graph, key, replay: new SqlReplay(graph, replayer, options) };
    }
    return this.sqlCache.replay.sqlFor(model, this.version);
  }

  /**
   * The statements of one top-level operation generated on its own (django/sql/physicalSchema.ts EstimatedSchema):
   * Django's statements and locks, with placeholder names for the constraints it drops. Costs that operation only,
   * where migrationSql first generates every migration before it; what the rules decide locks from.
   */
  estimatedOperationSql(path: string, op: Operation, config: ResolvedConfig, defaultAutoField = this.defaultAutoField): OperationSql | undefined {
    const model = this.model(path);
    if (!model || op.parent) return undefined;
    const { replayer } = this.ensureReplayer();
    const options = { database: this.effectiveDatabase(config), djangoVersion: config.djangoVersion, postgresVersion: config.postgresVersion, defaultAutoField, ...(this.authUserModel ? { authUserModel: this.authUserModel } : {}) };
    return generateOperation(model, op, new EstimatedSchema(), options, replayer.viewBefore(model, op));
  }

  /** The SQL of one operation (a nested database operation answers with its SeparateDatabaseAndState's). */
  operationSql(path: string, op: Operation, config: ResolvedConfig): OperationSql | undefined {
    let top = op;
    for (let depth = 0; top.parent && depth < 16; depth++) top = top.parent;
    return this.migrationSql(path, config)?.operations.find((entry) => entry.operation === top || (entry.operation.span.start === top.span.start && entry.operation.name === top.name));
  }

  private sqlCache: { replayer: StateReplayer; graph: MigrationGraph; key: string; replay: SqlReplay } | undefined;

  /** The replayed state right before an operation of a file (for hovers). */
  stateBefore(path: string, op: Operation): StateView {
    const model = this.model(path);
    if (!model) return EMPTY_VIEW;
    return this.ensureReplayer().replayer.viewBefore(model, op);
  }

  /**
   * The graph and replayed states for the editor features (completion, definitions, history, symbols). They read
   * what the diagnostics replayed: replaying happens only for migrations not analysed yet, once, as for the rules.
   */
  navigation(): NavigationSource {
    const { graph, replayer } = this.ensureReplayer();
    return { graph, stateBefore: (model, op) => replayer.viewBefore(model, op), modelsAfter: (key) => replayer.stateAfter(key).models() };
  }

  /** Findings for one file (graph rules included). */
  analyzeFile(path: string, config: ResolvedConfig): Finding[] {
    return this.analyzeFileWithErrors(path, config).findings;
  }

  /** Findings and problems (binary file, syntax errors, failed rules) for one file. */
  analyzeFileWithErrors(path: string, config: ResolvedConfig): AnalysisResult {
    const entry = this.files.get(normalizePath(path));
    if (!entry) return { findings: [], errors: [] };
    const database = this.effectiveDatabase(config);
    const graphFindings = this.runGraphRules(config, database);
    return this.analyzeEntry(entry, config, database, graphFindings);
  }

  analyzeAll(config: ResolvedConfig): AnalysisResult {
    const database = this.effectiveDatabase(config);
    const graphFindings = this.runGraphRules(config, database);
    const findings: Finding[] = [];
    const errors: FileError[] = graphFindings.failures.map((failure) => ({ file: config.root, message: `rule ${failure.rule} failed: ${failure.message}` }));
    for (const entry of [...this.files.values()].sort((a, b) => compareStrings(a.path, b.path))) {
      const result = this.analyzeEntry(entry, config, database, graphFindings);
      // One push per item: spreading a file's findings into push() overflows the stack past ~100,000 of them.
      for (const finding of result.findings) findings.push(finding);
      for (const error of result.errors) errors.push(error);
    }
    findings.sort(compareFindings);
    return { findings, errors };
  }

  private analyzeEntry(entry: FileEntry, config: ResolvedConfig, database: Database, graphFindings: GraphFindings): AnalysisResult {
    const errors: FileError[] = [];
    if (policyOf(config).isExcluded(entry.path)) return { findings: [], errors };
    const model = entry.model;
    if (!model) {
      errors.push({ file: entry.path, message: entry.failure ?? 'binary file, not analysed' });
      return { findings: [], errors };
    }
    if (model.ignoredByMigrationLinter) return { findings: [], errors };
    const lineStarts = model.lineStarts ?? computeLineStarts(model.text);
    const firstError = model.syntaxErrors[0];
    if (firstError) {
      const position = positionOfOffset(lineStarts, firstError.start);
      errors.push({
        file: entry.path,
        message: `syntax error at line ${position.line + 1}:${position.character + 1}; findings may be incomplete`,
      });
    }

    const { graph } = this.ensureReplayer();
    // A squash whose originals are gone runs only on fresh, empty databases: no lock or data risk to report there.
    const freshDatabasesOnly = graph.runsOnFreshDatabasesOnly(model);
    const collected: RuleFinding[] = [];
    const evaluated = new Set<string>(graphFindings.evaluated);
    const anchorLine = (raw: RawFinding) => lineOfOffset(lineStarts, raw.operation?.span.start ?? raw.span.start);
    let currentRule: { id: string; severity: Severity } | undefined;
    const fileModel = operationsFor(model, database);
    const facts = this.fileFacts(entry.path, fileModel, config, database);
    const context: FileContext = {
      file: fileModel,
      config,
      database,
      stateBefore: (op) => facts.facts(op).stateBefore,
      touchesDatabase: runsAgainstDatabase,
      report: (raw) => {
        if (currentRule) collected.push({ rule: currentRule.id, severity: currentRule.severity, raw, anchorLine: anchorLine(raw) });
      },
      standing: this.standingOf(model, config),
      facts: (op) => facts.facts(op),
    };
    const active = this.activeFileRules(config, database);
    /** Rules that threw on this file: reported once, not run again on its other operations, not counted as evaluated. */
    const failed = new Set<string>();
    const skipped = (rule: FileRule) => failed.has(rule.id) || (freshDatabasesOnly && !REPORTED_ON_FRESH_DATABASES.has(rule.category));
    const run = (active: ActiveFileRule, check: () => void) => {
      const { rule, severity } = active;
      if (skipped(rule)) return;
      currentRule = { id: rule.id, severity };
      try {
        check();
      } catch (error) {
        failed.add(rule.id);
        errors.push({ file: entry.path, message: `rule ${rule.id} failed: ${describeError(error)}` });
      }
    };
    for (const fileRule of active.fileLevel) run(fileRule, () => fileRule.rule.check?.(context));
    // One walk over the operations: each goes to the rules that declared its kind.
    for (const op of fileModel.allOperations) {
      for (const opRule of active.forOperation(op)) run(opRule, () => opRule.rule.checkOperation?.(context, op));
    }
    for (const { rule } of active.all) if (!skipped(rule)) evaluated.add(rule.id);
    currentRule = undefined;
    for (const finding of graphFindings.findingsFor(entry.path, entry.identity.app)) {
      collected.push({ rule: finding.rule, severity: finding.severity, raw: finding.raw, anchorLine: anchorLine(finding.raw) });
    }

    // The suppression stage's first step (suppression.ts): ignore comments, and unused-ignore for those that did nothing.
    const unusedIgnore = this.rules.find((rule) => rule.id === UNUSED_IGNORE_RULE_ID) ?? ruleById(UNUSED_IGNORE_RULE_ID);
    const unusedSeverity = unusedIgnore ? ruleSeverity(unusedIgnore, config, database) : undefined;
    // Ignores are judged against every finding the rules made (one on an operation a later DeleteModel supersedes is
    // still used), then the superseded findings go, with or without ignore comments in the file.
    const suppressed = applyIgnoreComments(collected, model, {
      knownRuleIds: this.knownRuleIds,
      evaluated,
      ...(unusedSeverity ? { unusedIgnoreFinding: (raw: RawFinding): RuleFinding => ({ rule: UNUSED_IGNORE_RULE_ID, severity: unusedSeverity, raw, anchorLine: anchorLine(raw) }) } : {}),
    });
    const kept = withoutSupersededByDeleteModel(suppressed, model);

    const findings = withOneFindingPerRisk(kept).map((finding) => toFinding(entry.path, finding, lineStarts, model.text.length));
    findings.sort(compareFindings);
    return { findings, errors };
  }

  /** Where a migration stands: its deploy phase and whether anything depends on it yet. */
  standing(path: string, config: ResolvedConfig): MigrationStanding | undefined {
    const model = this.model(path);
    return model ? this.standingOf(model, config) : undefined;
  }

  /** How a squash is treated, for hovers: undefined for a migration that is not a squash. */
  squashNote(path: string): string | undefined {
    const model = this.model(path);
    if (!model?.migrationClass?.replaces.length) return undefined;
    const { graph } = this.ensureReplayer();
    return graph.runsOnFreshDatabasesOnly(model)
      ? 'This squash replaces migrations that are gone from the tree: every existing database recorded them as applied, so Django marks this one applied too and only a fresh, empty database runs it. Lock and data rules are not reported here.'
      : 'This squash replaces migrations that are still in the tree: a database that applied none of them runs it, one that applied all of them skips it.';
  }

  private standingOf(model: MigrationModel, config: ResolvedConfig): MigrationStanding {
    const { graph } = this.ensureReplayer();
    const entry = graph.entryFor(model);
    return { phase: deployPhaseOf(model, config), hasDependents: entry ? graph.hasDependents(entry.key) : false };
  }

  /** The file rules that run under this configuration and database, with their severities, by operation kind (computed once). */
  private activeFileRules(config: ResolvedConfig, database: Database): ActiveFileRules {
    const key = configKey(config, database);
    if (this.fileRulesCache?.key === key) return this.fileRulesCache.rules;
    const rules: ActiveFileRule[] = [];
    for (const rule of this.rules) {
      // A rule without detection code (unused-ignore: the suppression stage reports it) is not run, nor counted as run.
      if (rule.scope !== 'file' || (!rule.check && !rule.checkOperation)) continue;
      const severity = ruleSeverity(rule, config, database);
      if (severity) rules.push({ rule, severity });
    }
    const dispatch = new ActiveFileRules(rules);
    this.fileRulesCache = { key, rules: dispatch };
    return dispatch;
  }

  /**
   * The per-operation facts of a file under one configuration, shared by the rules and the hover: kept while the
   * project is unchanged (any edit anywhere may change a file's replayed states), for the last few files analysed.
   */
  private fileFacts(path: string, file: MigrationModel, config: ResolvedConfig, database: Database): FileFacts {
    const key = configKey(config, database);
    if (this.factsCache.version !== this.version) this.factsCache = { version: this.version, byPath: new Map() };
    const byPath = this.factsCache.byPath;
    const known = byPath.get(path);
    if (known && known.key === key && known.facts.file === file) {
      // Most recently used last: the oldest entry is the first to go.
      byPath.delete(path);
      byPath.set(path, known);
      return known.facts;
    }
    const model = this.model(path);
    const facts = new FileFacts({
      file,
      database,
      postgresVersion: config.postgresVersion,
      stateBefore: (op) => (model ? this.ensureReplayer().replayer.viewBefore(model, op) : EMPTY_VIEW),
      migrationSql: () => this.migrationSql(path, config)?.operations,
      estimatedSql: (op) => this.estimatedOperationSql(path, op, config),
    });
    byPath.delete(path);
    byPath.set(path, { key, facts });
    if (byPath.size > FACTS_CACHE_FILES) byPath.delete(byPath.keys().next().value as string);
    return facts;
  }

  private factsCache: { version: number; byPath: Map<string, { key: string; facts: FileFacts }> } = { version: -1, byPath: new Map() };

  /**
   * The facts the rules read about one operation of a file (state before it, target names, its SQL with locks), for
   * the hover: the same objects the last analysis of the file computed, while nothing changed since.
   */
  operationFacts(path: string, op: Operation, config: ResolvedConfig): OperationFacts | undefined {
    const model = this.model(path);
    if (!model) return undefined;
    const database = this.effectiveDatabase(config);
    return this.fileFacts(normalizePath(path), operationsFor(model, database), config, database).facts(op);
  }

  /** Graph rules' findings, re-running only the rules (and, for `app` rules, the apps) whose inputs changed. */
  private runGraphRules(config: ResolvedConfig, database: Database): GraphFindings {
    this.ensureReplayer();
    const active: ActiveGraphRule[] = [];
    for (const rule of this.rules) {
      if (rule.scope !== 'graph') continue;
      const severity = ruleSeverity(rule, config, database);
      if (severity) active.push({ rule, severity });
    }
    const sources: GraphRuleSources = {
      version: this.version,
      headerVersion: this.headerVersion,
      structureVersion: this.structureVersion,
      appsChangedSince: (version) => [...this.appChangedAt].filter(([, changedAt]) => changedAt > version).map(([app]) => app),
      files: () => this.allModels(),
      nodes: () => this.graphNodes(),
      graph: () => this.ensureReplayer().graph,
      hasDependents: (file) => {
        const { graph } = this.ensureReplayer();
        const entry = graph.entryFor(file);
        return entry ? graph.hasDependents(entry.key) : false;
      },
    };
    return this.graphRules.update(active, configKey(config, database), { config }, sources);
  }

  /** Every parsed migration in insertion order, one array per project version (rules cache work per array). */
  private allModels(): MigrationModel[] {
    if (this.modelsCache?.version !== this.version) {
      this.modelsCache = { version: this.version, models: [...this.files.values()].flatMap((entry) => (entry.model ? [entry.model] : [])) };
    }
    return this.modelsCache.models;
  }

  /** The graph's nodes, one array per graph (they change only with its structure). */
  private graphNodes(): GraphNode[] {
    const { graph } = this.ensureReplayer();
    if (this.nodesCache?.graph !== graph) this.nodesCache = { graph, nodes: graph.nodes };
    return this.nodesCache.nodes;
  }

  /** Rebuilds the graph when the files' shape changed; keeps replayed states when only contents changed. */
  private ensureReplayer(): { graph: MigrationGraph; replayer: StateReplayer } {
    if (this.structureChanged || !this.graph || !this.replayer) {
      this.graph = new MigrationGraph(this.allModels());
      this.replayer = new StateReplayer(this.graph);
      this.structureChanged = false;
      this.pendingModels.clear();
    } else if (this.pendingModels.size > 0) {
      const stale: MigrationKey[] = [];
      for (const model of this.pendingModels.values()) {
        if (this.graph.updateModel(model)) stale.push(migrationKey(model.app, model.name));
      }
      this.replayer.invalidate(stale);
      this.pendingModels.clear();
    }
    return { graph: this.graph, replayer: this.replayer };
  }
}

function createEntry(path: string, text: string, identity: MigrationIdentity, previous: FileEntry | undefined, tree: Tree | undefined): FileEntry {
  if (looksBinary(text)) return { path, text, identity, structure: `${path}|binary`, header: `${path}|binary` };
  try {
    const parsed = parseForEntry(text, previous, tree);
    const range = parsed.changed ?? (previous?.model ? changedRange(previous.model.text, text) : undefined);
    const before = previous?.model && range && previous.model.path === path && previous.model.text === previous.parsed?.text ? { model: previous.model, range } : undefined;
    const model = buildMigrationModel(path, text, parsed.tree, identity, before);
    return { path, text, identity, parsed, model, structure: graphStructureSignature(model), header: graphRuleSignature(model) };
  } catch (error) {
    // One file the engine cannot model must not take the others down: it is reported and left out of the graph.
    const failure = `could not be analysed (internal error: ${describeError(error)}); please report it with this file`;
    return { path, text, identity, failure, structure: `${path}|failed`, header: `${path}|failed` };
  }
}

/** The same file under another app label or name: the model is re-stamped, its parse kept. */
function relabelEntry(entry: FileEntry, identity: MigrationIdentity): FileEntry {
  if (!entry.model) return { ...entry, identity };
  const model: MigrationModel = { ...entry.model, app: identity.app, name: identity.name };
  return { ...entry, identity, model, structure: graphStructureSignature(model), header: graphRuleSignature(model) };
}

/** The layout a batch analysis identifies its files with. */
export function layoutOf(options: AnalyzeOptions): ProjectLayout {
  if (options.layout) return options.layout;
  if (!options.appConfigFiles?.length && !options.settingsFiles?.length && !options.config.migrationModules) return ProjectLayout.CONVENTIONAL;
  return ProjectLayout.build({ appConfigFiles: options.appConfigFiles, settingsFiles: options.settingsFiles, migrationModules: options.config.migrationModules });
}

function parseForEntry(text: string, previous: FileEntry | undefined, tree: Tree | undefined): ParsedText {
  try {
    // A tree from elsewhere may lack the bookkeeping incremental parsing needs: a later edit re-parses in full.
    if (tree && tree.length === text.length) return { text, tree, fragments: [] };
    return previous?.parsed ? reparsePython(previous.parsed, text) : parsePython(text);
  } catch {
    // Incremental reuse is an optimisation: a fresh parse is always valid.
    return parsePython(text);
  }
}

/**
 * One risk, one finding: an operation on a model that a later DeleteModel of the same migration drops (a RemoveField,
 * AlterField or RemoveIndex before it) is reported only through that DeleteModel.
 */
function withoutSupersededByDeleteModel(findings: RuleFinding[], model: MigrationModel): RuleFinding[] {
  const lastDeletion = new Map<string, number>();
  model.allOperations.forEach((op, index) => {
    const target = op.name === 'DeleteModel' && runsAgainstDatabase(op) ? targetModel(op) : undefined;
    if (target) lastDeletion.set(target, index);
  });
  if (lastDeletion.size === 0) return findings;
  const superseded = new Set<Operation>();
  model.allOperations.forEach((op, index) => {
    const target = op.name === 'DeleteModel' ? undefined : targetModel(op);
    if (target && (lastDeletion.get(target) ?? -1) > index) superseded.add(op);
  });
  return superseded.size === 0 ? findings : findings.filter((finding) => !finding.raw.operation || !superseded.has(finding.raw.operation));
}

const modelsByDatabase = new WeakMap<MigrationModel, Map<Database, MigrationModel>>();

/**
 * The model as the given database runs it: operations added only under `if connection.vendor == ...` for other
 * vendors are left out (the same objects otherwise, so replayed states and spans still match).
 */
function operationsFor(model: MigrationModel, database: Database): MigrationModel {
  if (!model.allOperations.some((op) => op.vendors !== undefined)) return model;
  let byDatabase = modelsByDatabase.get(model);
  if (!byDatabase) modelsByDatabase.set(model, (byDatabase = new Map()));
  let filtered = byDatabase.get(database);
  if (!filtered) {
    const runs = (op: Operation) => runsOn(op.vendors, database);
    filtered = { ...model, operations: model.operations.filter(runs), allOperations: model.allOperations.filter(runs) };
    byDatabase.set(database, filtered);
  }
  return filtered;
}

/**
 * Pairs of rules that describe one risk from two sides when they report the same operation or statement: the first
 * explains it best and keeps the finding, saying the other's aspect too.
 */
const ONE_RISK_PAIRS: readonly { keep: string; drop: string; aspect: string }[] = [
  { keep: 'exclusive-lock-held-by-slow-step', drop: 'mixed-schema-and-data', aspect: 'it also mixes schema and data changes in one transaction' },
  { keep: 'non-atomic-mixed-operations', drop: 'sql-not-idempotent', aspect: 'add IF [NOT] EXISTS to make it re-runnable' },
];

/** Runs after ignore comments, so an ignore written for either rule keeps its effect (and is not reported unused). */
function withOneFindingPerRisk(findings: RuleFinding[]): RuleFinding[] {
  let result = findings;
  for (const pair of ONE_RISK_PAIRS) {
    const kept = result.filter((finding) => finding.rule === pair.keep);
    if (kept.length === 0) continue;
    const target = (finding: RuleFinding) => `${finding.raw.span.start}:${finding.raw.span.end}`;
    const keptTargets = new Set(kept.map(target));
    const droppedTargets = new Set(result.filter((finding) => finding.rule === pair.drop && keptTargets.has(target(finding))).map(target));
    if (droppedTargets.size === 0) continue;
    result = result
      .filter((finding) => !(finding.rule === pair.drop && droppedTargets.has(target(finding))))
      .map((finding) =>
        finding.rule === pair.keep && droppedTargets.has(target(finding)) ? { ...finding, raw: { ...finding.raw, message: `${finding.raw.message} (${pair.aspect})` } } : finding,
      );
  }
  return result;
}

/** Rule categories still reported on a squash only fresh databases run: what is wrong in the file itself. */
const REPORTED_ON_FRESH_DATABASES: ReadonlySet<RuleCategory> = new Set(['hygiene', 'graph']);

/** How much of the start of a text is sampled for control characters. */
const BINARY_SAMPLE_LENGTH = 8192;

/**
 * Binary content (an image, a .pyc, a zip saved as .py): any NUL character, or a sample dominated by control
 * characters and U+FFFD (what undecodable bytes become). Such files are reported, never parsed.
 */
export function looksBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  const sampleLength = Math.min(text.length, BINARY_SAMPLE_LENGTH);
  let suspicious = 0;
  for (let index = 0; index < sampleLength; index++) {
    const code = text.charCodeAt(index);
    if ((code < 32 && code !== 9 && code !== 10 && code !== 12 && code !== 13) || code === 0xfffd) suspicious++;
  }
  return sampleLength > 0 && suspicious / sampleLength > 0.1;
}

/** The severity a rule runs at, or undefined when it does not run (not selected, ignored, off, other database). */
const configKeys = new WeakMap<ResolvedConfig, string>();

/** A cache key for what a configuration and database decide: serialised once per config object, not per file. */
function configKey(config: ResolvedConfig, database: Database): string {
  let key = configKeys.get(config);
  if (key === undefined) {
    key = JSON.stringify(config);
    configKeys.set(config, key);
  }
  return `${database}\u0000${key}`;
}

/** `exclude` globs match the path relative to the config root (or the path as given when it lies outside). */
/** The policy a configuration alone decides (no layout, no editor globs): one per configuration object. */
function policyOf(config: ResolvedConfig): ProjectPolicy {
  let policy = policies.get(config);
  if (!policy) {
    policy = new ProjectPolicy({ config });
    policies.set(config, policy);
  }
  return policy;
}

const policies = new WeakMap<ResolvedConfig, ProjectPolicy>();

function toFinding(file: string, finding: RuleFinding, lineStarts: readonly number[], textLength: number): Finding {
  const { raw } = finding;
  // A finding about a whole operation is underlined on the operation's name (`migrations.AddIndex`), not on its
  // whole multi-line call; the operation's span travels as operationSpan for fixes, ignores and the baseline.
  const reported = raw.operation && sameSpan(raw.span, raw.operation.span) ? raw.operation.nameSpan : raw.span;
  // A rule's span is trusted to be inside the text; clamping keeps a buggy one from producing negative positions.
  const start = clamp(reported.start, 0, textLength);
  const span = { start, end: clamp(reported.end, start, textLength) };
  const result: Finding = {
    rule: finding.rule,
    severity: finding.severity,
    message: raw.advice ? `${raw.message}; ${raw.advice}` : raw.message,
    file,
    span,
    start: positionOfOffset(lineStarts, span.start),
    end: positionOfOffset(lineStarts, span.end),
    fixes: raw.fixes ?? [],
  };
  if (raw.advice) result.advice = raw.advice;
  if (raw.operation) result.operationSpan = raw.operation.span;
  return result;
}

function sameSpan(a: Span, b: Span): boolean {
  return a.start === b.start && a.end === b.end;
}

function clamp(value: number, low: number, high: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(value, low), high) : low;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.file, b.file) ||
    a.start.line - b.start.line ||
    a.start.character - b.start.character ||
    compareStrings(a.rule, b.rule)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const EMPTY_VIEW: StateView = {
  model: () => undefined,
  field: () => undefined,
  createdInSameMigration: () => false,
  historyComplete: () => false,
  models: () => [],
  apps: () => [],
};
