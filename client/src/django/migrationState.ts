// What the extension last learned about each project (by manage.py path): its settings and which migrations are
// applied. Filled by the commands and the tree as they run manage.py; read by the tree and the status item. Nothing
// here runs manage.py by itself, so the counts are "when known".
import * as vscode from 'vscode';
import { managePyForFile } from './managePyDiscovery';
import type { AppMigrations, ProjectSettings } from './djangoOutput';

export interface KnownProject {
  settings?: ProjectSettings;
  apps?: AppMigrations[];
}

export class MigrationStateStore implements vscode.Disposable {
  private readonly projects = new Map<string, KnownProject>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the manage.py path whose knowledge changed. */
  readonly onDidChange = this.changed.event;

  get(managePy: string): KnownProject | undefined {
    return this.projects.get(managePy);
  }

  setSettings(managePy: string, settings: ProjectSettings): void {
    this.projects.set(managePy, { ...this.projects.get(managePy), settings });
    this.changed.fire(managePy);
  }

  setMigrations(managePy: string, apps: AppMigrations[]): void {
    this.projects.set(managePy, { ...this.projects.get(managePy), apps });
    this.changed.fire(managePy);
  }

  /** What is known about migrations came from another interpreter, environment or manage.py: drop it. */
  forgetMigrations(): void {
    for (const [managePy, known] of [...this.projects]) {
      if (!known.apps) continue;
      this.projects.set(managePy, { ...(known.settings ? { settings: known.settings } : {}) });
      this.changed.fire(managePy);
    }
  }

  /** Every manage.py path something is known about. */
  managePyPaths(): string[] {
    return [...this.projects.keys()];
  }

  /** The known project a file belongs to. */
  projectOfFile(file: string): string | undefined {
    return managePyForFile([...this.projects.keys()], file);
  }

  unappliedCount(managePy: string): number | undefined {
    const apps = this.projects.get(managePy)?.apps;
    if (!apps) return undefined;
    return apps.reduce((count, app) => count + app.migrations.filter((migration) => migration.state !== 'applied').length, 0);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
