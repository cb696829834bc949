// Every question the extension asks goes through a Prompter. The window implementation is the default; an
// integration test installs its own (through the extension's exported API) to answer confirmations for real
// instead of skipping them.
import * as vscode from 'vscode';

export interface PickItem {
  label: string;
  description?: string;
  detail?: string;
}

export interface ConfirmRequest {
  message: string;
  detail?: string;
  confirmLabel: string;
}

export interface TypedConfirmRequest {
  message: string;
  detail?: string;
  /** The exact text the user must type. */
  expected: string;
  /** The typing box's title (why typing is needed); "Confirm a production database" when not given. */
  title?: string;
}

export interface InputRequest {
  title: string;
  prompt?: string;
  placeholder?: string;
  value?: string;
  /** A message shown while typing; `blocking` ones prevent accepting the value. */
  validate?: (value: string) => { message: string; blocking: boolean } | undefined;
}

export interface Prompter {
  /** A modal question; true only when the confirm button was chosen. */
  confirm(request: ConfirmRequest): Promise<boolean>;
  /** A modal warning followed by a box where `expected` must be typed exactly; true only then. */
  confirmByTyping(request: TypedConfirmRequest): Promise<boolean>;
  pick<T extends PickItem>(items: readonly T[], options: { title: string; placeholder?: string }): Promise<T | undefined>;
  input(request: InputRequest): Promise<string | undefined>;
}

const windowPrompter: Prompter = {
  async confirm(request) {
    const options: vscode.MessageOptions = { modal: true };
    if (request.detail !== undefined) options.detail = request.detail;
    const choice = await vscode.window.showWarningMessage(request.message, options, request.confirmLabel);
    return choice === request.confirmLabel;
  },

  async confirmByTyping(request) {
    const options: vscode.MessageOptions = { modal: true };
    if (request.detail !== undefined) options.detail = request.detail;
    const proceed = 'Continue…';
    if ((await vscode.window.showWarningMessage(request.message, options, proceed)) !== proceed) return false;
    const typed = await vscode.window.showInputBox({
      title: request.title ?? 'Confirm a production database',
      prompt: `Type ${request.expected} to confirm`,
      placeHolder: request.expected,
      ignoreFocusOut: true,
      validateInput: (value) => (value === request.expected || value === '' ? undefined : `Type exactly: ${request.expected}`),
    });
    return typed === request.expected;
  },

  async pick(items, options) {
    const quickPickOptions: vscode.QuickPickOptions = { title: options.title, ignoreFocusOut: true, matchOnDescription: true };
    if (options.placeholder !== undefined) quickPickOptions.placeHolder = options.placeholder;
    return vscode.window.showQuickPick([...items], quickPickOptions);
  },

  async input(request) {
    const options: vscode.InputBoxOptions = { title: request.title, ignoreFocusOut: true };
    if (request.prompt !== undefined) options.prompt = request.prompt;
    if (request.placeholder !== undefined) options.placeHolder = request.placeholder;
    if (request.value !== undefined) options.value = request.value;
    if (request.validate) {
      const validate = request.validate;
      options.validateInput = (value) => {
        const result = validate(value);
        if (!result) return undefined;
        return { message: result.message, severity: result.blocking ? vscode.InputBoxValidationSeverity.Error : vscode.InputBoxValidationSeverity.Warning };
      };
    }
    return vscode.window.showInputBox(options);
  },
};

/** Holds the current Prompter so tests can swap it while the commands keep their reference to the holder. */
export class PrompterHolder implements Prompter {
  private current: Prompter = windowPrompter;

  use(prompter: Prompter): vscode.Disposable {
    this.current = prompter;
    return new vscode.Disposable(() => {
      if (this.current === prompter) this.current = windowPrompter;
    });
  }

  confirm(request: ConfirmRequest): Promise<boolean> {
    return this.current.confirm(request);
  }
  confirmByTyping(request: TypedConfirmRequest): Promise<boolean> {
    return this.current.confirmByTyping(request);
  }
  pick<T extends PickItem>(items: readonly T[], options: { title: string; placeholder?: string }): Promise<T | undefined> {
    return this.current.pick(items, options);
  }
  input(request: InputRequest): Promise<string | undefined> {
    return this.current.input(request);
  }
}
