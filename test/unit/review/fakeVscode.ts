// A small stand-in for the parts of the `vscode` module the review panel host uses, recording what it was asked
// to do, so registerReviewPanel can be exercised without an editor. Installed under the module name "vscode".
import Module from 'node:module';

type Listener<T> = (value: T) => unknown;

class Emitter<T> {
  private listeners: Listener<T>[] = [];
  event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(value: T): unknown[] {
    return this.listeners.map((listener) => listener(value));
  }
}

export class Disposable {
  constructor(private readonly callback: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  dispose(): void {
    this.callback();
  }
}

export class Uri {
  private constructor(
    readonly path: string,
    readonly scheme = 'file',
  ) {}
  static file(path: string): Uri {
    return new Uri(path);
  }
  static parse(text: string): Uri {
    const match = /^([a-z-]+):\/\/(.*)$/.exec(text);
    return match ? new Uri(match[2]!, match[1]) : new Uri(text);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri([base.path.replace(/\/$/, ''), ...segments].join('/'), base.scheme);
  }
  with(change: { scheme?: string }): Uri {
    return new Uri(this.path, change.scheme ?? this.scheme);
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export class FileSystemError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export class FakeWebview {
  html = '';
  options: Record<string, unknown> = {};
  readonly cspSource = 'https://fake.vscode-cdn.net';
  readonly posted: unknown[] = [];
  readonly received = new Emitter<unknown>();
  onDidReceiveMessage = this.received.event;
  asWebviewUri(uri: Uri): string {
    return `https://fake.vscode-cdn.net${uri.path}`;
  }
  postMessage(message: unknown): Promise<boolean> {
    this.posted.push(message);
    return Promise.resolve(true);
  }
  /** Delivers a message as the webview would and waits until the host has replied. */
  async send(message: unknown): Promise<void> {
    await Promise.all(this.received.fire(message));
  }
}

export class FakePanel {
  readonly webview = new FakeWebview();
  private readonly disposed = new Emitter<void>();
  onDidDispose = this.disposed.event;
  revealed = 0;
  constructor(
    readonly viewType: string,
    readonly title: string,
    readonly options: Record<string, unknown>,
  ) {}
  reveal(): void {
    this.revealed++;
  }
  dispose(): void {
    this.disposed.fire();
  }
}

export interface FakeVscode {
  module: Record<string, unknown>;
  commands: Map<string, (...args: unknown[]) => unknown>;
  serializers: Map<string, { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }>;
  panels: FakePanel[];
  warnings: string[];
  infos: string[];
  files: Map<string, string>;
  /** Editors shown: the document's URI and, for an unsaved document, the text inserted into it. */
  shownDocuments: { uri: string; text: string }[];
  /** Fires the "changed" event of every file watcher, as VS Code does when a watched file is saved. */
  fileChanged(path: string): Promise<void>;
  /** What `languages.getDiagnostics()` returns (change it in place: the fake holds this array). */
  diagnostics: [Uri, { source?: string; code?: string | number; message: string; range: { start: { line: number } } }[]][];
  /** Fires `languages.onDidChangeDiagnostics` for these files. */
  diagnosticsChanged(paths: string[]): Promise<void>;
  globalState: { get<T>(key: string): T | undefined; update(key: string, value: unknown): Promise<void>; writes: number };
}

export function createFakeVscode(): FakeVscode {
  const changeEmitters: Emitter<Uri>[] = [];
  const diagnosticEvents = new Emitter<{ uris: Uri[] }>();
  const fake: Omit<FakeVscode, 'module'> = {
    diagnostics: [],
    diagnosticsChanged: async (paths: string[]) => {
      await Promise.all(diagnosticEvents.fire({ uris: paths.map((path) => Uri.file(path)) }));
    },
    fileChanged: async (path: string) => {
      for (const emitter of changeEmitters) await Promise.all(emitter.fire(Uri.file(path)));
    },
    commands: new Map(),
    serializers: new Map(),
    panels: [],
    warnings: [],
    infos: [],
    files: new Map(),
    shownDocuments: [],
    globalState: {
      data: new Map<string, string>(),
      writes: 0,
      get<T>(key: string): T | undefined {
        const text = (this as unknown as { data: Map<string, string> }).data.get(key);
        return text === undefined ? undefined : (JSON.parse(text) as T);
      },
      update(key: string, value: unknown): Promise<void> {
        this.writes++;
        (this as unknown as { data: Map<string, string> }).data.set(key, JSON.stringify(value));
        return Promise.resolve();
      },
    } as FakeVscode['globalState'],
  };
  const watcherEvents = () => new Emitter<Uri>().event;
  const module = {
    Uri,
    Disposable,
    FileSystemError,
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    commands: {
      registerCommand(id: string, callback: (...args: unknown[]) => unknown) {
        fake.commands.set(id, callback);
        return new Disposable(() => fake.commands.delete(id));
      },
    },
    window: {
      createWebviewPanel(viewType: string, title: string, _column: unknown, options: Record<string, unknown>) {
        const panel = new FakePanel(viewType, title, options);
        fake.panels.push(panel);
        return panel;
      },
      registerWebviewPanelSerializer(viewType: string, serializer: FakeVscode['serializers'] extends Map<string, infer S> ? S : never) {
        fake.serializers.set(viewType, serializer);
        return new Disposable(() => fake.serializers.delete(viewType));
      },
      showWarningMessage(message: string) {
        fake.warnings.push(message);
        return Promise.resolve(undefined);
      },
      showInformationMessage(message: string) {
        fake.infos.push(message);
        return Promise.resolve(undefined);
      },
      showTextDocument(target: Uri | { uri: Uri; getText(): string }) {
        const uri = target instanceof Uri ? target : target.uri;
        const shown = { uri: uri.toString(), text: target instanceof Uri ? (fake.files.get(uri.path) ?? '') : target.getText() };
        fake.shownDocuments.push(shown);
        const edit = (build: (builder: { insert(position: unknown, text: string): void }) => void) => {
          build({ insert: (_position, text) => (shown.text += text) });
          return Promise.resolve(true);
        };
        return Promise.resolve({ document: target, edit });
      },
    },
    Position: class Position {
      constructor(
        readonly line: number,
        readonly character: number,
      ) {}
    },
    workspace: {
      openTextDocument(uri: Uri) {
        return Promise.resolve({ uri, getText: () => (uri.scheme === 'file' ? (fake.files.get(uri.path) ?? '') : '') });
      },
      workspaceFolders: [{ name: 'shop', index: 0, uri: Uri.file('/work/shop') }],
      fs: {
        readFile(uri: Uri) {
          const text = fake.files.get(uri.path);
          return text === undefined
            ? Promise.reject(new FileSystemError(`not found: ${uri.path}`, 'FileNotFound'))
            : Promise.resolve(new TextEncoder().encode(text));
        },
        stat(uri: Uri) {
          return fake.files.has(uri.path) ? Promise.resolve({}) : Promise.reject(new FileSystemError('nope', 'FileNotFound'));
        },
        writeFile(uri: Uri, bytes: Uint8Array) {
          fake.files.set(uri.path, new TextDecoder().decode(bytes));
          return Promise.resolve();
        },
      },
      createFileSystemWatcher() {
        const changes = new Emitter<Uri>();
        changeEmitters.push(changes);
        return {
          onDidCreate: watcherEvents(),
          onDidChange: changes.event,
          onDidDelete: watcherEvents(),
          dispose: () => changeEmitters.splice(changeEmitters.indexOf(changes), 1),
        };
      },
      onDidChangeWorkspaceFolders: new Emitter<unknown>().event,
      textDocuments: [] as { uri: Uri; getText(): string }[],
      asRelativePath(uri: Uri) {
        return uri.path.replace(/^\/work\/shop\//, '');
      },
    },
    languages: {
      getDiagnostics: () => fake.diagnostics,
      onDidChangeDiagnostics: diagnosticEvents.event,
    },
  };
  return { ...fake, module };
}

type ResolveFilename = (request: string, ...rest: unknown[]) => string;

/** Makes `require('vscode')` return the fake until the returned function is called. */
export function installFakeVscode(fake: FakeVscode): () => void {
  const moduleApi = Module as unknown as { _resolveFilename: ResolveFilename; _cache: Record<string, unknown> };
  const original = moduleApi._resolveFilename;
  const id = '\0fake-vscode';
  moduleApi._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? id : original.call(this, request, ...rest);
  };
  const cached = { id, filename: id, loaded: true, exports: fake.module, children: [], paths: [] };
  moduleApi._cache[id] = cached;
  return () => {
    moduleApi._resolveFilename = original;
    delete moduleApi._cache[id];
  };
}
