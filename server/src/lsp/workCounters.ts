// What the server did, for protocol tests that must see work rather than time it: which document versions were
// analysed, and how each hover was answered. With MIGRATION_GUARD_TEST_COUNTERS=1 in its environment the server
// answers the custom request `migrationGuard/testCounters` with them; without it the request is not registered.
import type { Connection } from 'vscode-languageserver/node';

export const TEST_COUNTERS_REQUEST = 'migrationGuard/testCounters';
export const TEST_COUNTERS_ENV = 'MIGRATION_GUARD_TEST_COUNTERS';

/** Records kept per kind; older ones are dropped so a long session cannot grow them without bound. */
const MAX_RECORDS = 10_000;

export interface AnalysisRecord {
  uri: string;
  version: number;
}

export interface HoverRecord {
  uri: string;
  /** The document's version when the hover arrived. */
  version: number;
  /** `last-result`: an earlier version's analysis, the line unchanged; `cache`: the current version's; `analysis`: run for it. */
  answeredFrom: 'last-result' | 'cache' | 'analysis' | 'none';
  /** The version of the analysis the answer came from. */
  analysisVersion?: number;
  /** How many analyses had run (since the server started) when the hover arrived. */
  analysesBefore: number;
  /** Analyses that ran between the hover's arrival and its answer. */
  analysesWhileAnswering: number;
}

export interface WorkCountersSnapshot {
  /** The latest analyses, oldest first (the first of them is analysis number analysesRun - analyses.length + 1). */
  analyses: AnalysisRecord[];
  analysesRun: number;
  hovers: HoverRecord[];
}

export class WorkCounters {
  private readonly analyses: AnalysisRecord[] = [];
  private readonly hovers: HoverRecord[] = [];
  private analysesTotal = 0;

  /** How many analyses ran since the server started. */
  get analysesRun(): number {
    return this.analysesTotal;
  }

  analysed(uri: string, version: number): void {
    this.analysesTotal++;
    keep(this.analyses, { uri, version });
  }

  hovered(record: HoverRecord): void {
    keep(this.hovers, record);
  }

  snapshot(): WorkCountersSnapshot {
    return { analyses: [...this.analyses], analysesRun: this.analysesTotal, hovers: [...this.hovers] };
  }

  /** Registers the test request when the environment asks for it. */
  listen(connection: Connection, env: NodeJS.ProcessEnv = process.env): void {
    if (env[TEST_COUNTERS_ENV] !== '1') return;
    connection.onRequest(TEST_COUNTERS_REQUEST, () => this.snapshot());
  }
}

function keep<T>(records: T[], record: T): void {
  records.push(record);
  if (records.length > MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS);
}
