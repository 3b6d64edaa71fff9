// evaluate (watch, hover, debug console) and the x86 views that have no DAP request of their own:
// console commands (`info gdt|ldt|idt|tss|mode|fault`, `x/16b ds:si`, `help`).
// Node only; must not import vscode. SDM Vol. 3 §3.5.1 (GDT/LDT), §6.10 (IDT), §7.2 (TSS).

import type { DebugProtocol } from '@vscode/debugprotocol';
import { CR0_PE, CS } from '../../emulator/cpu/regs';
import { chainPath } from '../../emulator/cpu/faultChain';
import { formatChain, formatSubjects } from '../../emulator/debug/faultView';
import { currentKey, faultCommand, NO_FAULT, noteFault } from './fault';
import {
  formatDescriptor, readInterruptTable, readTable, readTss,
} from '../../emulator/debug/descriptors';
import { evaluate, evaluateAddress, evaluateValue, ExpressionError, knownNames } from '../../emulator/debug/expression';
import { historyCommand } from './timeTravel';
import { compareAgain } from './compare';
import { cpuMode, readLinear, segOff } from '../../emulator/debug/machineView';
import { PROFILE_NAMES } from '../../emulator/vmx/profiles';
import { checkVmEntry, readDescriptorTable } from './panels';
import { RequestError, type SessionContext, refString } from '../context';
import { hexDigits } from '../../protocol/format';

const HELP = `Expressions: registers (ax, eax, al, eip, eflags, cs), fields (eflags.zf, eflags.iopl, cs.base, cs.limit, cs.ar, cs.dpl, cr0.pe, gdtr.base),
  SSSS:OOOO and seg:off (ds:si), memory [ds:si], byte|word|dword [es:di+4], linear(cs:ip), phys(0x7c00),
  numbers 0x7c00 / 7c00h / 31744 / 0b101, operators + - * / % & | ^ ~ << >> == != < <= > >= && || ! and parentheses.
Commands: info gdt | info ldt | info idt | info tss | info mode | info vmentry | info fault | x/<count><b|w|d> <address> (e.g. x/16b ds:si) | help
History (recorded sessions): last write <address> [length] | last change <register or field> (e.g. ss, ds.base, eflags.vm, cr0.pe) | goto <instruction count> | record budget [MiB]
  | fault write [N.M] (back from the fault to the last write of entry M of link N of info fault, or the last change of that register)
Launch compareWith: compare again (the lock-step run with QEMU from 0000:7C00 on the history as it is now, edits included)`;

function infoCommand(ctx: SessionContext, what: string): string {
  const cpu = ctx.machine.cpu;
  switch (what) {
    case 'gdt': case 'ldt': {
      const t = readDescriptorTable(ctx, { table: what });
      const head = `${what.toUpperCase()} base=0x${hexDigits(t.base, 8)} limit=0x${t.limit.toString(16)} (${t.entries.length} entries)`;
      return [head, ...readTable(cpu, what).map(formatDescriptor)].join('\n');
    }
    case 'idt': case 'ivt': {
      const entries = readInterruptTable(cpu);
      const pm = (cpu.cr0 & CR0_PE) !== 0;
      const head = `${pm ? 'IDT' : 'IVT'} base=0x${hexDigits(cpu.idtrBase, 8)} limit=0x${cpu.idtrLimit.toString(16)}`;
      return [head, ...entries.map((e) => `${hexDigits(e.vector, 2)}h  ${segOff(e.selector, e.offset)}${pm ? `  ${e.kind} DPL=${e.dpl} P=${+e.present}` : ''}`)].join('\n');
    }
    case 'tss': {
      const t = readTss(cpu);
      if (!t) return 'no TSS: TR is unusable or the CPU is in real mode';
      return [`TSS (${t.bits}-bit) selector=${hexDigits(t.selector, 4)} base=0x${hexDigits(t.base, 8)} limit=0x${t.limit.toString(16)}`,
        ...t.fields.map((f) => `  ${f.name.padEnd(6)} 0x${f.value.toString(16)}`)].join('\n');
    }
    case 'vmentry': case 'vmx': {
      // Every hypervisor profile on the live state: the verdict and the failing checks (emulator/vmx).
      const lines: string[] = [];
      for (const profile of PROFILE_NAMES) {
        const r = checkVmEntry(ctx, { profile });
        lines.push(`${profile}: ${r.verdict}${r.reason ? ` — ${r.reason}` : ''}`,
          ...r.checks.filter((k) => k.status === 'fail').map((f) => `  §${f.section} ${f.id} (${f.field}): ${f.message}`));
      }
      return lines.join('\n');
    }
    case 'fault': {
      // The fault chain of the last exception delivery that faulted (emulator/cpu/faultChain.ts).
      // With what each link's rule looked at, numbered for `fault write N.M`.
      // An exception delivered without a fault but raised through a rule shows as a one-link chain.
      const seen = currentKey(cpu) ? noteFault(ctx) : null;
      if (!seen) return NO_FAULT;
      const { chain, links } = seen;
      const head = cpu.faultChain.length ? `fault chain ${chainPath(chain)}` : `last exception ${chainPath(chain)}, raised by a rule and delivered`;
      return [head, ...formatChain(chain, (i) => formatSubjects(i, links[i].subjects))].join('\n');
    }
    case 'mode':
      return `${cpuMode(cpu)} at ${segOff(cpu.sel[CS], cpu.eip)} (linear ${refString(ctx.machine.pcLinear)}), CPL=${cpu.cpl}, A20 ${ctx.machine.mem.a20Enabled ? 'on' : 'off'}, ${cpu.icount} instructions`;
    default:
      throw new ExpressionError(`unknown 'info ${what}': try info gdt, info ldt, info idt, info tss, info mode, info vmentry, info fault`);
  }
}

/** `x/<count><b|w|d> <address>`: a memory dump, 16 bytes per line. */
function examine(ctx: SessionContext, spec: string, addrText: string): string {
  const m = /^(\d*)([bwd]?)$/.exec(spec);
  if (!m) throw new ExpressionError(`'x/${spec}': use x/<count><b|w|d>, e.g. x/16b ds:si`);
  const unit = m[2] === 'w' ? 2 : m[2] === 'd' ? 4 : 1;
  const count = m[1] ? +m[1] : 16;
  if (count < 1 || count * unit > 65536) throw new ExpressionError('x/: count must be 1 or more and at most 64 KiB in all');
  if (!addrText.trim()) throw new ExpressionError('x/: give an address, e.g. x/16b ds:si');
  const cpu = ctx.machine.cpu;
  const { value, linear } = evaluateValue(cpu, addrText, { symbol: ctx.sources.lookup });
  const lin = linear(value);
  const r = readLinear(cpu, lin, count * unit);
  const perLine = 16 / unit;
  const out: string[] = [];
  for (let i = 0; i < count; i += perLine) {
    const a = lin + i * unit;
    const label = value.kind === 'pointer'
      ? `${'reg' in value.seg ? hexDigits(cpu.sel[value.seg.reg], 4) : hexDigits(value.seg.selector, 4)}:${hexDigits(value.offset + i * unit, value.offset > 0xffff ? 8 : 4)}`
      : hexDigits(a, 8);
    const cells: string[] = [];
    for (let j = i; j < Math.min(count, i + perLine); j++) {
      const o = j * unit;
      if (o + unit > r.readable) { cells.push('?'.repeat(unit * 2)); continue; }
      let v = 0;
      for (let k = unit - 1; k >= 0; k--) v = v * 256 + r.bytes[o + k];
      cells.push(hexDigits(v, unit * 2).toLowerCase());
    }
    out.push(`${label}  ${cells.join(' ')}`);
  }
  return out.join('\n');
}

/** The answer, or for a console command that runs as a task (`goto`) a promise of it. */
export function evaluateRequest(ctx: SessionContext, args: DebugProtocol.EvaluateArguments): DebugProtocol.EvaluateResponse['body'] | Promise<DebugProtocol.EvaluateResponse['body']> {
  const cpu = ctx.machine.cpu;
  const expr = args.expression.trim();
  try {
    if (args.context === 'repl' || args.context === undefined) {
      if (expr === 'help' || expr === '?') return { result: HELP, variablesReference: 0 };
      const info = /^info\s+(\w+)$/.exec(expr);
      if (info) return { result: infoCommand(ctx, info[1].toLowerCase()), variablesReference: 0 };
      if (/^compare\s+again$/i.test(expr)) return { result: compareAgain(ctx), variablesReference: 0 };
      const x = /^x\/(\S*)\s*(.*)$/.exec(expr);
      if (x) return { result: examine(ctx, x[1], x[2]), variablesReference: 0 };
      const fault = faultCommand(ctx, expr);
      if (fault !== null) return { result: fault, variablesReference: 0 };
      const history = historyCommand(ctx, expr, (a) => evaluateAddress(cpu, a));
      if (typeof history === 'string') return { result: history, variablesReference: 0 };
      if (history !== null) return history.then((result) => ({ result, variablesReference: 0 }));
    }
    // A C variable of the DWARF (cVariables.ts) before registers and symbols: `info`, `p->next`, `buf[3]`.
    const c = ctx.cvars.evaluate(expr, args.frameId ?? 0);
    if (c) return c;
    const r = evaluate(cpu, expr, { symbol: ctx.sources.lookup });
    return {
      result: r.text, type: r.type, variablesReference: 0,
      ...(r.memoryReference !== undefined ? { memoryReference: refString(r.memoryReference) } : {}),
    };
  } catch (e) {
    if (e instanceof RequestError) throw e;
    if (e instanceof ExpressionError) throw new RequestError(e.message, args.context === 'repl');
    throw new RequestError(`cannot evaluate '${expr}': ${(e as Error).message.replace(/^'[^']*': /, '')}`, args.context === 'repl');
  }
}

export function completions(ctx: SessionContext, args: DebugProtocol.CompletionsArguments): DebugProtocol.CompletionsResponse['body'] {
  const upto = args.text.slice(0, args.column - 1);
  const word = /[A-Za-z_.][A-Za-z0-9_.]*$/.exec(upto)?.[0] ?? '';
  const names = [...ctx.cvars.names(), ...knownNames(), ...ctx.sources.symbolNames(), 'linear', 'phys', 'byte', 'word', 'dword', 'info gdt', 'info idt', 'info tss', 'info ldt', 'info mode', 'info fault', 'fault write', 'help', ...(ctx.compare ? ['compare again'] : [])];
  return { targets: names.filter((n) => n.toLowerCase().startsWith(word.toLowerCase())).map((n) => ({ label: n, start: upto.length - word.length, length: word.length })) };
}
