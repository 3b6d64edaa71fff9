// Creates the Bootscope debug adapter for a session: a separate Node process running dist/debugAdapter.js by
// default (a busy guest loop never blocks the extension host), or in-process when `bootscope.adapter.runMode` is
// "inline" (tests, adapter debugging). Imports 'vscode', Node built-ins and protocol/ only (STYLE D2).
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Settings, setting } from './contributions';

/** What `require(dist/debugAdapter.js)` exports for running it in-process: the TCP server of debug-adapter/main.ts. */
interface InlineAdapterModule {
  runServer(port: number): Promise<{ address(): unknown; close(): void }>;
}

export class AdapterFactory implements vscode.DebugAdapterDescriptorFactory, vscode.Disposable {
  private server?: Promise<{ port: number; close(): void }>;

  constructor(private readonly extensionPath: string) {}

  dispose(): void {
    void this.server?.then((s) => s.close(), () => undefined);
  }

  get adapterPath(): string {
    return join(this.extensionPath, 'dist', 'debugAdapter.js');
  }

  async createDebugAdapterDescriptor(session: vscode.DebugSession): Promise<vscode.DebugAdapterDescriptor> {
    const program = this.adapterPath;
    if (!existsSync(program)) {
      throw new Error(`The Bootscope debug adapter is missing (${program}). Build it with "npm run build".`);
    }
    const mode = (session.configuration.runMode as string | undefined) ?? setting(Settings.RunMode, 'process');
    if (mode === 'inline') {
      // A dynamic require keeps extension/ free of static imports from debug-adapter/; the bundle exports
      // runServer() when it is required rather than run (InlineAdapterModule).
      const mod = require(program) as Partial<InlineAdapterModule>;
      if (typeof mod.runServer === 'function') {
        // In-process TCP server on 127.0.0.1 (one session per connection), started once.
        const runServer = mod.runServer;
        this.server ??= runServer(0).then((srv) => {
          const addr = srv.address() as { port: number };
          return { port: addr.port, close: () => srv.close() };
        });
        return new vscode.DebugAdapterServer((await this.server).port, '127.0.0.1');
      }
      void vscode.window.showWarningMessage('This Bootscope debug adapter cannot run inline (it does not export runServer); running it as a separate process.');
    }
    // process.execPath is Node in a Node extension host and Electron in desktop VS Code; ELECTRON_RUN_AS_NODE
    // makes the latter behave as Node.
    return new vscode.DebugAdapterExecutable(process.execPath, [program], { env: { ELECTRON_RUN_AS_NODE: '1' } });
  }
}
