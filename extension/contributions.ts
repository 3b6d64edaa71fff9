// Identifier strings of the extension's VS Code contributions (commands, settings, languages) as const enums,
// with typed registerCommand/runCommand wrappers, so no id is spelled twice (STYLE D3). Imports 'vscode' only.
// The ids and titles outside checks rely on are listed in docs/CLI.md.
import * as vscode from 'vscode';

export const DEBUG_TYPE = 'bootscope';

export const enum Commands {
  ShowDescriptorTables = 'bootscope.showDescriptorTables',
  ShowVmcs = 'bootscope.showVmcs',
  ShowVmEntryChecks = 'bootscope.showVmEntryChecks',
  ShowScreen = 'bootscope.showScreen',
  ShowTimeline = 'bootscope.showTimeline',
  ShowFault = 'bootscope.showFault',
  CheckVmcsDump = 'bootscope.checkVmcsDump',
  CompareVmcsDump = 'bootscope.compareVmcsDump',
  ShowCompare = 'bootscope.showCompare',
}

export const enum Settings {
  Section = 'bootscope',
  RunMode = 'adapter.runMode',
  VmcheckProfile = 'vmcheck.profile',
  NasmPath = 'nasmPath',
  ScreenRefreshMs = 'screen.refreshWhileRunningMs',
}

/** Arguments each of our commands takes (none today; the map keeps registerCommand typed when that changes). */
export interface CommandArgs {
  [Commands.ShowDescriptorTables]: [];
  [Commands.ShowVmcs]: [];
  [Commands.ShowVmEntryChecks]: [];
  [Commands.ShowScreen]: [];
  [Commands.ShowTimeline]: [];
  [Commands.ShowFault]: [];
  [Commands.CheckVmcsDump]: [];
  [Commands.CompareVmcsDump]: [];
  [Commands.ShowCompare]: [];
}

export function registerCommand<C extends Commands>(id: C, handler: (...args: CommandArgs[C]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown);
}

export function runCommand<C extends Commands>(id: C, ...args: CommandArgs[C]): Thenable<unknown> {
  return vscode.commands.executeCommand(id, ...args);
}

export function setting<T>(key: Settings, fallback: T): T {
  return vscode.workspace.getConfiguration(Settings.Section).get<T>(key, fallback);
}
