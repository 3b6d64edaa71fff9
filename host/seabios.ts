// Where `firmware: seabios` (`bootscope run --firmware seabios`) finds its files: Debian's seabios
// package. A missing package gets a message that says how to install it, instead of "no such file".
// Node only; shared by the CLI and the debug adapter; no vscode.
import { existsSync } from 'node:fs';
import { SEABIOS_FILES } from '../protocol/launchConfig';

/** One sentence when a file of `paths` is one of the seabios package's and is not installed, else null. */
export function seabiosPackageMissing(paths: (string | null)[], opt: { bios: string; vgaRom: string }, exists = existsSync): string | null {
  const packaged: string[] = Object.values(SEABIOS_FILES);
  const missing = paths.find((p) => p !== null && packaged.includes(p) && !exists(p));
  if (missing === undefined) return null;
  return `${missing} is missing: it comes with Debian's seabios package (apt-get install seabios), or name other files with ${opt.bios} and ${opt.vgaRom}`;
}
