// `bootscope compare [IMAGE] [--floppy | --cdrom [ISO]] [--hd FILE] [--fd FILE] [--boot ORDER] [--max N] ...` (docs/CLI.md):
// Bootscope and QEMU (TCG, host/qemu.ts; or KVM, host/qemuGdb.ts) boot the same drives in the same order and run in lock-step from 0000:7C00,
// compared at every guest instruction (emulator/record/lockstep.ts); prints the first divergence
// with both states side by side, or that the runs agree to the end of the budget. Exit 0 agree,
// 3 divergence, 1 an input (or QEMU) could not be used, 2 usage error.
import { Bios } from '../../emulator/bios/bios';
import { divergenceLines, rulesLines } from '../../emulator/record/divergenceReport';
import { ataStatusRead, type GuestRecord, GuestRun, guestUndefinedFlags } from '../../emulator/record/guestRun';
import { Lockstep, SEABIOS_ALLOWANCES } from '../../emulator/record/lockstep';
import { Machine } from '../../emulator/machine';
import { readFileSync } from 'node:fs';
import { loadFirmware } from '../../emulator/firmware';
import { readInputFile } from '../../host/files';
import { accelProblem, ICOUNT_SHIFT, qemuCpuidQuirks, QEMU_SMBIOS_QUIRKS, IDLE_SECONDS, kvmNote, QEMU, qemuMissing, streamQemu } from '../../host/qemu';
import { QEMU_ACCELS, type QemuAccel } from '../../protocol/launchConfig';
import { Command } from 'commander';
import { exitWith, FIRMWARE_OPTION_HELP, InputError, parseClock, parseFirmware, parseWhole, UsageError } from '../args';
import { bootOrderOver, type DriveOptions, driveFilesOf, driveOptions, openDrives, qemuDrives } from '../run/disk';


export interface CompareOptions extends DriveOptions {
  memoryMb?: string;
  max?: string;
  context?: string;
  qemu?: string;
  accel?: string;
  clock?: string;
  bios?: string;
  vgaRom?: string;
  firmware?: string;
  fromReset?: boolean;
  resyncReturn?: boolean;
  /** --no-acpi: false. */
  acpi?: boolean;
}

/** Instructions a --bios firmware may take to reach 0000:7C00 (SeaBIOS takes about 6 million). */
const FIRMWARE_BUDGET = 100_000_000;

/**
 * Test hook (docs/CLI.md): BOOTSCOPE_TEST_COMPARE_FLIP=N flips bit 0 of Bootscope's EAX before its
 * guest instruction N (counted from 0 at 0000:7C00), so the first divergence is known in advance.
 */
const FLIP_HOOK = 'BOOTSCOPE_TEST_COMPARE_FLIP';

export function command(): Command {
  return driveOptions(new Command('compare')
    .summary('run an image in lock-step with QEMU and print the first divergence')
    .description('Boot IMAGE (and the other drives) in Bootscope and in QEMU (qemu-system-i386, TCG or KVM) and compare every guest instruction from ' +
      '0000:7C00: CS:EIP, general registers, EFLAGS (bits the instruction before left undefined excused), segment selectors, CR0.')
    .argument('[image]', 'disk image or boot sector (optional with other drives)'))
    .option('--memory-mb <N>', 'guest RAM in MiB on both sides, 1 to 3072 (default 64)')
    .option('--max <N>', 'guest instructions to compare (default 10000000)')
    .option('--context <N>', 'agreeing instructions shown before a divergence, 0 to 50 (default 5)')
    .option('--qemu <FILE>', 'the QEMU binary (default qemu-system-i386 on PATH)')
    .option('--accel <tcg|kvm>', 'tcg (default): QEMU\'s per-instruction log; kvm: the host CPU, single-stepped through QEMU\'s gdbstub (needs /dev/kvm)')
    .option('--bios <FILE>', 'a firmware image both machines boot from reset (QEMU -bios FILE), e.g. SeaBIOS\'s bios-256k.bin, instead of each one\'s own BIOS')
    .option('--vga-rom <FILE>', 'the standard VGA\'s expansion ROM for --bios on both machines, e.g. SeaVGABIOS\'s vgabios-stdvga.bin')
    .option('--firmware <NAME>', FIRMWARE_OPTION_HELP)
    .option('--clock <instructions|icount>', 'Bootscope\'s device time: instructions (default, 4.77 MHz) or icount, QEMU\'s -icount rule (2^8 ns an instruction; tcg only; the default with --from-reset)')
    .option('--from-reset', 'with --bios or --firmware: compare from the reset vector F000:FFF0, the firmware\'s every instruction, on the Pentium model (QEMU told to be this machine)')
    .option('--no-acpi', 'both machines without ACPI, as QEMU\'s -machine acpi=off: no PIIX4 ACPI function (00:01.3) and no ACPI tables for the firmware (with --bios or --firmware)')
    .option('--resync-return', 'on a divergence, skip both sides to the first return they share (same CS:EIP, SS:ESP) and carry on, as trace-diff --resync-return')
    .addHelpText('after', '\nExit codes: 0 the runs agree to the end of the budget, 3 they diverge, 1 an input or QEMU could not be used, 2 usage error.')
    .action((image: string | undefined, opts: CompareOptions) => exitWith(main(image, opts)));
}

export async function main(imageFile: string | undefined, opts: CompareOptions): Promise<number> {
  const memoryMB = opts.memoryMb === undefined ? 64 : parseWhole(opts.memoryMb, '--memory-mb', 1, 3072);
  const max = opts.max === undefined ? 10_000_000 : parseWhole(opts.max, '--max', 1);
  const context = opts.context === undefined ? 5 : parseWhole(opts.context, '--context', 0, 50);
  const flipText = process.env[FLIP_HOOK];
  const flipAt = flipText === undefined ? null : parseWhole(flipText, FLIP_HOOK);
  const accel = (opts.accel ?? 'tcg') as QemuAccel;
  if (!QEMU_ACCELS.includes(accel)) throw new UsageError(`--accel: '${opts.accel}' is not one of ${QEMU_ACCELS.join(', ')}`);
  // Both machines boot from drives: a firmware alone is not a comparison.
  const { files, order } = driveFilesOf(imageFile, opts, null);
  const fromReset = opts.fromReset === true;
  const clock = parseClock(opts.clock, fromReset ? 'icount' : 'instructions');
  if (clock === 'icount' && accel === 'kvm') throw new UsageError('--clock icount follows QEMU\'s -icount, which is TCG\'s: under KVM QEMU\'s timers follow the host clock');
  const { bios: biosFile, vgaRom: vgaRomFile } = parseFirmware(opts);
  if (fromReset && biosFile === undefined) throw new UsageError('--from-reset needs a firmware to run from the reset vector: --bios FILE or --firmware seabios');
  const acpi = opts.acpi !== false;
  if (!acpi && biosFile === undefined) throw new UsageError('--no-acpi changes the machine a firmware finds: it needs --bios FILE or --firmware seabios');
  if (fromReset && accel === 'kvm') throw new UsageError('--from-reset reads QEMU\'s per-instruction log of the firmware, which only --accel tcg writes');
  const drives = openDrives(imageFile, files);
  const bootOrder = bootOrderOver(drives, order);
  const firmware = biosFile === undefined ? null : new Uint8Array(readInputFile(biosFile, 'firmware image'));
  const vgaRom = vgaRomFile === undefined ? null : new Uint8Array(readInputFile(vgaRomFile, 'VGA ROM'));
  const binary = opts.qemu ?? QEMU;
  const missing = qemuMissing(binary) ?? accelProblem(accel);
  if (missing) throw new InputError(missing);

  const m = new Machine({
    memoryMB, floppies: drives.floppies, hardDisks: drives.hardDisks, cdrom: drives.cdrom, bootOrder, firmware: firmware !== null, acpi,
    ...(fromReset ? { cpu: 'pentium' as const } : {}),
    ...(clock === 'icount' ? { icountShift: ICOUNT_SHIFT } : {}),
  });
  if (fromReset) m.cpu.cpuidQuirks = qemuCpuidQuirks;
  if (firmware) {
    const problem = loadFirmware(m, firmware, vgaRom, fromReset ? QEMU_SMBIOS_QUIRKS : undefined);
    if (problem) throw new InputError(`firmware image '${biosFile}': ${problem}`);
    // QEMU's records start at the first 0000:7C00 (unless from reset); the firmware's own run before it is not compared.
    const stop = fromReset ? null : m.run({ maxInstructions: FIRMWARE_BUDGET, until: [{ kind: 'linear', address: 0x7c00 }] });
    if (stop && stop.reason !== 'until') throw new InputError(`firmware image '${biosFile}' did not reach 0000:7C00 in Bootscope within ${FIRMWARE_BUDGET} instructions (stop: ${stop.reason})`);
  } else {
    const bios = new Bios();
    bios.install(m);
    if (!bios.boot()) throw new InputError(bios.log[bios.log.length - 1].message);
  }
  // The busy drive rule's clock must move before our next instruction: the run pauses after a status read.
  const ours = new GuestRun(m, (o) => m.run(o), { flipAt, everyAddress: fromReset, pauseAfter: ataStatusRead });
  const l = new Lockstep<GuestRecord>(ours.next, {
    allowances: SEABIOS_ALLOWANCES, history: context, undefinedFlags: guestUndefinedFlags,
    ...(fromReset ? { code: (r: GuestRecord) => r.bytes } : {}), returnResync: opts.resyncReturn === true,
    busyDrive: { statusRead: ataStatusRead, passTime: (n) => m.passTime(n) },
  });
  const origin = fromReset ? 'from F000:FFF0' : 'from 0000:7C00';
  let firstPm = -1, first7c00 = -1;
  const started = Date.now();
  let lastProgress = started;
  let qemuRecords = 0;
  let idle = false;
  try {
    ({ idle } = await streamQemu({ binary, drives: qemuDrives(drives), bootOrder, memoryMB, accel, bios: biosFile, vgaRom: vgaRomFile, fromReset, acpi }, (records) => {
      for (const r of records) {
        if (l.matched >= max) return false;
        qemuRecords++;
        const agreed = l.matched;
        if (!l.push(r)) return false;
        if (firstPm < 0 && r.regs.cr0 & 1 && l.matched > 0) firstPm = l.matched - 1;
        if (first7c00 < 0 && r.lin === 0x7c00 && l.matched > agreed) first7c00 = agreed;
      }
      const now = Date.now();
      if (now - lastProgress >= 5000) {
        lastProgress = now;
        process.stderr.write(`bootscope compare: ${l.matched} instructions agree, ${((now - started) / 1000).toFixed(0)} s\n`);
      }
      return l.matched < max;
    }, 120_000 + max / 10));
  } catch (e) {
    throw new InputError(`QEMU: ${(e as Error).message}`);
  }
  l.finish(idle ? `QEMU logged no guest instruction (linear 0x500..0x9FFFF) for ${IDLE_SECONDS} s after its record ${qemuRecords - 1}` : null);
  const seconds = (Date.now() - started) / 1000;
  const d = l.divergence;
  const lines: string[] = [];
  if (d) {
    lines.push(...divergenceLines(d, {
      origin,
      sources: (x) => `Bootscope instruction ${x.ours.source}${fromReset ? '' : ', its count including the BIOS\'s'}; QEMU ${fromReset ? '' : 'guest '}record ${x.qemu.source}`,
    }, (r) => r.bytes));
  } else if (l.matched >= max) {
    lines.push(`no divergence: ${l.matched} instructions ${origin} agree (the budget)`);
  } else {
    lines.push(`no divergence in ${l.matched} instructions ${origin}, short of the budget: ${l.end}${ours.stop ? ` (Bootscope: ${ours.stop.reason}${ours.stop.detail ? `, ${ours.stop.detail}` : ''})` : ''}`);
  }
  if (firstPm >= 0) lines.push(`first protected-mode instruction: ${firstPm}`);
  if (fromReset) lines.push(first7c00 >= 0 ? `first 0000:7C00: instruction ${first7c00}` : 'first 0000:7C00: not reached');
  lines.push(...rulesLines(l));
  lines.push(`speed: ${qemuRecords} QEMU records in ${seconds.toFixed(1)} s with start-up, ${Math.round(qemuRecords / seconds)}/s, ${(qemuRecords / seconds * 60 / 1e6).toFixed(1)} M/min (${accel === 'kvm' ? 'QEMU KVM, gdbstub single steps' : `QEMU -icount shift=${ICOUNT_SHIFT},sleep=off${clock === 'icount' ? '; Bootscope on the same -icount clock' : ''}`})`);
  const note = accel === 'kvm' ? kvmNote(readFileSync('/proc/cpuinfo', 'utf8')) : null;
  if (note) lines.push(`KVM: ${note}`);
  process.stdout.write(lines.join('\n') + '\n');
  return d ? 3 : 0;
}
