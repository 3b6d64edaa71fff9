// Debug configuration provider for `bootscope`: F5 with no launch.json boots the image or NASM source in the
// active editor, or the workspace's only one (assembling .asm with its listing when nasm is available, else using the matching .bin), dynamic
// configurations for images in the workspace, and validation with clear messages. Imports 'vscode' and Node only.
import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { DEBUG_TYPE, Settings, setting } from './contributions';
import { configForFile, fileKind, siblingWithExtension, validateConfig, type LaunchConfig } from './launchValidation';
import { LAUNCH_DEFAULTS } from '../protocol/launchConfig';

/** The file behind the active editor tab, including binary images that open in no text editor. */
export function activeFileUri(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document.uri;
  if (doc?.scheme === 'file') return doc;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  return uri?.scheme === 'file' ? uri : undefined;
}

function sizeOf(path: string): number | undefined {
  try { return statSync(path).size; } catch { return undefined; }
}

interface AssembleResult { ok: boolean; missing?: boolean; message: string }

function assemble(nasm: string, source: string, bin: string, lst: string): Promise<AssembleResult> {
  return new Promise((resolve) => {
    const child = spawn(nasm, ['-f', 'bin', '-o', bin, '-l', lst, source], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, missing: e.code === 'ENOENT', message: e.message }));
    child.on('close', (code) => resolve({ ok: code === 0, message: err.trim() }));
  });
}

const DEFAULTS: Partial<LaunchConfig> = { stopOnEntry: true, record: true, writeBack: false, floppy: false, breakOnVmEntryFailure: false, cpu: LAUNCH_DEFAULTS.cpu, profile: 'raw' };

export class ConfigProvider implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(): Promise<vscode.DebugConfiguration[]> {
    const files = await vscode.workspace.findFiles('**/*.{img,bin,ima,flp,vfd,asm}', '**/node_modules/**', 20);
    return files.map((f) => configForFile(f.fsPath, sizeOf(f.fsPath))).filter((c): c is LaunchConfig => c !== undefined);
  }

  async resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (!config.type && !config.request && !config.name) {
      // F5 with no launch.json: boot what the active editor shows, else the workspace's only image or source.
      const uri = activeFileUri();
      const cfg = uri ? configForFile(uri.fsPath, sizeOf(uri.fsPath)) : await this.onlyConfiguration();
      if (!cfg) {
        void vscode.window.showErrorMessage('Bootscope: open a disk image (.img, .bin, .ima), a CD image (.iso), a floppy image or a NASM .asm boot sector, or add a "bootscope" configuration to launch.json.');
        return undefined;
      }
      return cfg;
    }
    return config;
  }

  /** The configuration of the one bootable file in the workspace (a folder holding just a disk image), if it is one. */
  private async onlyConfiguration(): Promise<LaunchConfig | undefined> {
    const all = await this.provideDebugConfigurations();
    return all.length === 1 ? all[0] as LaunchConfig : undefined;
  }

  async resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    const cfg = config as LaunchConfig;
    if (typeof cfg.image === 'string' && fileKind(cfg.image) === 'asm') {
      const image = await this.binaryFor(cfg.image);
      if (!image) return undefined;
      cfg.image = image.bin;
      if (cfg.listing === undefined && image.listing) cfg.listing = image.listing;
    }
    const errors = validateConfig(cfg, existsSync);
    if (errors.length > 0) {
      void vscode.window.showErrorMessage(`Bootscope: invalid launch configuration "${cfg.name}": ${errors.join(' ')}`);
      return undefined;
    }
    if (cfg.request !== 'attach') for (const [k, v] of Object.entries(DEFAULTS)) if (cfg[k] === undefined) cfg[k] = v;
    return cfg;
  }

  /** boot.asm → boot.bin (+ boot.lst) assembled now, or the existing boot.bin when nasm is not installed. */
  private async binaryFor(source: string): Promise<{ bin: string; listing?: string } | undefined> {
    const bin = siblingWithExtension(source, '.bin');
    const lst = siblingWithExtension(source, '.lst');
    const r = await assemble(setting(Settings.NasmPath, 'nasm'), source, bin, lst);
    if (r.ok) return { bin, listing: lst };
    if (r.missing) {
      if (existsSync(bin)) return { bin, listing: existsSync(lst) ? lst : undefined };
      void vscode.window.showErrorMessage(`Bootscope: nasm is not installed (or "bootscope.nasmPath" is wrong), and there is no ${basename(bin)} next to ${basename(source)} to boot instead.`);
      return undefined;
    }
    void vscode.window.showErrorMessage(`Bootscope: nasm could not assemble ${basename(source)}: ${r.message || 'unknown error'}`);
    return undefined;
  }
}

export function registerConfigProvider(): vscode.Disposable[] {
  const provider = new ConfigProvider();
  return [
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider, vscode.DebugConfigurationProviderTriggerKind.Initial),
    // A second object for the dynamic list only, so resolve* runs once per launch.
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, { provideDebugConfigurations: () => provider.provideDebugConfigurations() }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  ];
}
