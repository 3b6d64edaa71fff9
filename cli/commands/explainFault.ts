// `bootscope explain-fault LOG|- [--image IMAGE] [options] [--json]` (docs/CLI.md): the last exception of a QEMU
// `-d int,cpu_reset` log or a Bochs panic log, explained through the CPU's fault rule table. With the image the log
// came from, Bootscope boots it, runs to the logged faulting instruction (its CS:EIP with the logged registers),
// executes it and explains its own fault chain link by link, checked against the log's. Without one, the log has no
// memory to check the rules against: each raised exception gets the rules that raise it (narrowed by Bochs's reason
// line). Exit 0 explained; 1 an input could not be used; 2 usage; 3 the image did not reach the logged state or its
// chain differs from the log's. Node I/O lives here; the logic is in emulator/debug/faultLog.ts.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { Bios } from '../../emulator/bios/bios';
import { CPU_MODELS, type CpuModel } from '../../emulator/cpu/cpu';
import { LAUNCH_DEFAULTS } from '../../protocol/launchConfig';
import { chainPath } from '../../emulator/cpu/faultChain';
import { EXCEPTION_NAMES } from '../../emulator/cpu/faults';
import { candidateRules, type FaultLog, FaultLogError, parseFaultLog, replayToLoggedFault } from '../../emulator/debug/faultLog';
import { formatChain, linkJson } from '../../emulator/debug/faultView';
import { segOff } from '../../emulator/debug/machineView';
import { Machine } from '../../emulator/machine';
import { errnoText, readInputFile } from '../../host/files';
import { CPU_OPTION_HELP, exitWith, InputError, parseChoice, parseWhole, UsageError } from '../args';
import { openBootDrive } from '../run/disk';

export interface ExplainFaultOptions {
  image?: string;
  floppy?: boolean;
  cpu?: string;
  memoryMb?: string;
  max?: string;
  json?: boolean;
}

export function command(): Command {
  return new Command('explain-fault')
    .summary('explain the last exception of a QEMU -d int or Bochs log through the fault rules')
    .description('Explain the last exception (a triple fault) of a QEMU `-d int,cpu_reset` log or a Bochs panic log through the CPU\'s fault rule table; with --image, by running the image to the logged state.')
    .argument('<log>', 'the log, or - for standard input (pasted is fine)')
    .option('--image <FILE>', 'the disk image the log came from: boot it, run to the logged faulting instruction and explain its fault chain')
    .option('--floppy', 'boot the image as the floppy, drive 00h')
    .option('--cpu <MODEL>', CPU_OPTION_HELP)
    .option('--memory-mb <N>', 'guest RAM in MiB, 1 to 3072 (default 64)')
    .option('--max <N>', 'instructions to run looking for the logged state (default 100000000)')
    .option('--json', 'print the explanation as one JSON object')
    .action((log: string, opts: ExplainFaultOptions) => exitWith(main(log, opts)));
}

function readLog(file: string): string {
  if (file !== '-') return readInputFile(file, 'log').toString('latin1');
  try {
    return readFileSync(0, 'latin1');
  } catch (e) {
    throw new InputError(`cannot read standard input: ${errnoText(e)}`);
  }
}

const name = (v: number) => EXCEPTION_NAMES[v]?.split(' ')[0] ?? `vector ${v}`;

/** '#DE → #DF → shutdown' as logged. */
function loggedPath(log: FaultLog): string {
  const names = log.events.map((e) => (e.soft ? `INT 0x${e.vector.toString(16).padStart(2, '0')}` : name(e.vector)));
  return [...names, ...(log.tripleFault ? ['shutdown'] : [])].join(' → ');
}

export async function main(logFile: string, opts: ExplainFaultOptions): Promise<number> {
  const cpuModel: CpuModel = parseChoice(opts.cpu ?? LAUNCH_DEFAULTS.cpu, '--cpu', CPU_MODELS);
  const memoryMB = opts.memoryMb === undefined ? 64 : parseWhole(opts.memoryMb, '--memory-mb', 1, 3072);
  const max = opts.max === undefined ? 100_000_000 : parseWhole(opts.max, '--max', 1);
  if (opts.floppy && opts.image === undefined) throw new UsageError('--floppy needs --image FILE');
  let log: FaultLog;
  try {
    log = parseFaultLog(readLog(logFile));
  } catch (e) {
    if (e instanceof FaultLogError) throw new InputError(`${logFile === '-' ? 'standard input' : logFile}: ${e.message}`);
    throw e;
  }
  const st = log.state;
  const at = st.segments.cs && st.regs.eip !== undefined ? segOff(st.segments.cs.selector, st.regs.eip) : 'an unlogged CS:EIP';
  const out: string[] = [];
  const json: Record<string, unknown> = {
    source: log.source, tripleFault: log.tripleFault, mode: log.mode, state: st,
    logged: { events: log.events, path: loggedPath(log), messages: log.messages }, warnings: log.warnings,
  };
  out.push(`${log.source === 'qemu' ? 'QEMU -d int' : 'Bochs'} log: ${log.tripleFault ? 'triple fault' : 'exception'} at ${at} (${log.mode} mode${st.cpl !== undefined ? `, CPL ${st.cpl}` : ''})`);
  if (log.events.length) {
    out.push(`logged: ${loggedPath(log)}${log.events.filter((e) => e.raised >= 0).map((e) => `; delivering ${e.soft ? `INT 0x${e.vector.toString(16)}` : name(e.vector)} raised ${name(e.raised)}`).join('')}`);
  }
  for (const m of log.messages) out.push(`log says: ${m}`);
  for (const w of log.warnings) out.push(`warning: ${w}`);
  let code = 0;

  if (opts.image !== undefined) {
    const { disk } = openBootDrive(opts.image, { floppy: opts.floppy === true, cdrom: false, detectCd: false });
    const m = new Machine({ cpu: cpuModel, memoryMB, floppy: opts.floppy ? disk : null, hardDisks: disk && !opts.floppy ? [disk] : [] });
    const bios = new Bios();
    bios.install(m);
    if (!bios.boot()) throw new InputError(bios.log[bios.log.length - 1].message);
    const r = replayToLoggedFault(m, log, max);
    json.replay = r;
    if (r.instruction === null) {
      out.push(`${opts.image} does not reach the logged state: ${r.notes.join('; ')}`);
      code = 3;
    } else {
      out.push(`${opts.image}: at the logged state after ${r.instruction} instructions${r.notes.length ? `; differs from the log in ${r.notes.join(', ')}` : ' (registers, segments, GDTR, IDTR, CR0 as logged)'}`);
      m.run({ maxInstructions: 1 });
      const chain = m.cpu.faultChain;
      if (!chain.length) {
        out.push(`the instruction there ${m.cpu.lastException >= 0 ? `raised ${name(m.cpu.lastException)}, delivered without a fault` : 'raised no exception'}: Bootscope does not fault as the log does`);
        code = 3;
      } else {
        json.fault = { chain: chain.map(linkJson) };
        out.push(`fault chain ${chainPath(chain)}:`, ...formatChain(chain).map((l) => `  ${l}`));
        // The same events, each raising what the log says its delivery raised (Bochs logs only the last).
        const ours = chain.map((l) => [l.vector, l.raised?.vector ?? -1]);
        const agrees = log.source === 'qemu'
          ? ours.length === log.events.length && ours.every(([v, r], i) => v === log.events[i].vector && r === log.events[i].raised) && m.cpu.shutdown === log.tripleFault
          : m.cpu.shutdown === log.tripleFault && (log.events.length === 0 || ours[ours.length - 1][1] === log.events[log.events.length - 1].raised);
        json.agrees = agrees;
        out.push(agrees ? `agrees with the log: ${log.source === 'qemu' ? 'the same events, each raising what the log says it raised' : 'the same last exception'}${log.tripleFault ? ', and a triple fault' : ''}`
          : `differs from the log (logged ${loggedPath(log)}): Bootscope and ${log.source === 'qemu' ? 'QEMU' : 'Bochs'} disagree here`);
        if (!agrees) code = 3;
      }
    }
  } else {
    // No memory: the rules that could have raised each logged exception.
    const candidates = log.events.filter((e) => e.raised >= 0).map((e) => ({
      event: e.vector, raised: e.raised,
      rules: candidateRules(e.raised, log.mode, log.messages).map((r) => ({ rule: r.id, section: r.section, text: r.rule })),
    }));
    json.candidates = candidates;
    for (const c of candidates) {
      out.push(`delivering ${name(c.event)} raised ${name(c.raised)}: ${c.rules.length === 1 ? 'the rule' : `one of ${c.rules.length} rules`} (the log has no memory to tell${c.rules.length === 1 ? '' : ' which'}; --image IMAGE replays it):`);
      for (const r of c.rules) out.push(`  ${r.rule} (SDM ${r.section}): ${r.text}`);
    }
    if (!candidates.length) out.push('no delivery in the log faulted: nothing for the fault rules to explain');
  }
  process.stdout.write(opts.json ? `${JSON.stringify(json)}\n` : `${out.join('\n')}\n`);
  return code;
}
