// What the CLI's commands share besides commander's parsing: the two error kinds that set the exit
// code (docs/CLI.md: 1 an input could not be used, 2 usage error) and value parsers whose messages
// say what the option takes.
import type { Command } from 'commander';
import {
  CPU_MODEL_NAMES, type CpuModelName, defaultFpu, FIRMWARE_NAMES, firmwareFiles, FPU_NAMES, type FpuName, fpuMismatch, LAUNCH_DEFAULTS, MODEL_FPUS, SEABIOS_FILES,
} from '../protocol/launchConfig';
import { seabiosPackageMissing } from '../host/seabios';

export class UsageError extends Error {}
/** An input (file, image, dump) could not be used: exit 1. */
export class InputError extends Error {}

/** Sets the exit code from a command's `main`; for `.action()`. */
export function exitWith(main: Promise<number>): Promise<void> {
  return main.then((code) => { process.exitCode = code; });
}

/** Appends a value to a repeatable option's list (`--until A --until B`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A whole number, decimal or 0x hex, from `min` to `max`; otherwise a UsageError naming the option. */
export function parseWhole(text: string, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? parseInt(text, 10) : NaN;
  if (n >= min && n <= max) return n;
  const bound = (v: number) => (v > 0xffff ? `0x${v.toString(16)}` : String(v));
  const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${bound(min)} to ${bound(max)}`;
  throw new UsageError(`${what}: '${text}' is not a whole number ${range} (decimal, or hex with 0x)`);
}

/** One of `names`; otherwise a UsageError listing them. */
export function parseChoice<T extends string>(text: string, what: string, names: readonly T[]): T {
  if ((names as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`${what}: '${text}' is not one of ${names.join(', ')}`);
}

/** The name a command is called by in messages: `bootscope run`. */
export function commandPath(c: Command): string {
  const names: string[] = [];
  for (let p: Command | null = c; p; p = p.parent) names.unshift(p.name());
  return names.join(' ');
}

/** `--cpu`'s help, from the one model list. */
export const CPU_OPTION_HELP = `CPU model: ${CPU_MODEL_NAMES.join(', ')} (default ${LAUNCH_DEFAULTS.cpu})`;
/** `--fpu`'s help: the values and which model takes which. */
export const FPU_OPTION_HELP = `x87: ${FPU_NAMES.join(', ')} (default the model's: ` +
  `${CPU_MODEL_NAMES.map((m) => `${m} ${MODEL_FPUS[m].join('|')}`).join(', ')})`;

/** `--clock`'s help: the device time's two rules (emulator/devices/clock.ts). */
export const CLOCK_OPTION_HELP = 'device time: instructions (4.77 MHz) or icount, QEMU\'s -icount shift=8 rule (2^8 ns an instruction)';

/** `--clock instructions|icount`, `fallback` when not given. */
export function parseClock(clock: string | undefined, fallback: 'instructions' | 'icount'): 'instructions' | 'icount' {
  const c = clock ?? fallback;
  if (c !== 'instructions' && c !== 'icount') throw new UsageError(`--clock: '${c}' is not one of instructions, icount`);
  return c;
}

/** `--cpu` and `--fpu` parsed and checked against each other. */
export function parseCpuFpu(cpu: string | undefined, fpu: string | undefined): { cpu: CpuModelName; fpu: FpuName } {
  const model = parseChoice(cpu ?? LAUNCH_DEFAULTS.cpu, '--cpu', CPU_MODEL_NAMES);
  const unit = fpu === undefined ? defaultFpu(model) : parseChoice(fpu, '--fpu', FPU_NAMES);
  const mismatch = fpuMismatch(model, unit);
  if (mismatch) throw new UsageError(`--fpu: ${mismatch}`);
  return { cpu: model, fpu: unit };
}

/** `--firmware`'s help, from the one list and Debian's file names. */
export const FIRMWARE_OPTION_HELP = `what boots the machine: ${FIRMWARE_NAMES.join(', ')} (Debian's ${SEABIOS_FILES.bios} and ${SEABIOS_FILES.vgaRom}, or --bios/--vga-rom files; default builtin)`;

/**
 * The firmware and VGA ROM files `--firmware`, `--bios` and `--vga-rom` ask for (no `bios`: the
 * built-in BIOS); a misuse is a UsageError, a missing seabios package an InputError that says how to install it.
 */
export function parseFirmware(opts: { firmware?: string; bios?: string; vgaRom?: string }): { bios?: string; vgaRom?: string } {
  const spelled = { firmware: '--firmware', bios: '--bios', vgaRom: '--vga-rom' };
  const name = opts.firmware === undefined ? undefined : parseChoice(opts.firmware, '--firmware', FIRMWARE_NAMES);
  const files = firmwareFiles(name, opts.bios ?? null, opts.vgaRom ?? null, spelled);
  if (typeof files === 'string') throw new UsageError(files);
  const missing = seabiosPackageMissing([files.bios, files.vgaRom], spelled);
  if (missing) throw new InputError(`--firmware seabios: ${missing}`);
  return { bios: files.bios ?? undefined, vgaRom: files.vgaRom ?? undefined };
}
