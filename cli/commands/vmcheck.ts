// `bootscope vmcheck FILE|- [--profile NAME] [--dump N] [--json]`: reads the Xen or KVM VMCS dumps pasted from a
// log or a mail archive (each, or the Nth), runs the SDM VM-entry checks (Vol. 3 §26.2.1.3, §26.3.1.x) and prints
// each failure with its section and an explanation, plus the root causes. Contract: docs/CLI.md. Node I/O lives here; the logic is in emulator/vmx.
import { readFileSync } from 'node:fs';
import { errnoText, readInputFile } from '../../host/files';
import { Command } from 'commander';
import { exitWith, InputError, parseChoice, parseWhole } from '../args';
import { runEntryChecks, type EntryReport } from '../../emulator/vmx/entryChecks';
import { hex } from '../../emulator/vmx/guestState';
import { parseVmcsDumps, VmcsDumpError, type VmcsDump } from '../../emulator/vmx/parsers/parseDump';
import { dumpAssumptions, dumpHints, PROFILE_NAMES, type ProfileName } from '../../emulator/vmx/profiles';
import { checksJson, guestJson } from '../../emulator/vmx/reportJson';
import { rootCauses, type RootCause } from '../../emulator/vmx/rootCause';

export interface VmcheckOptions {
  profile?: string;
  dump?: string;
  json?: boolean;
}

export function command(): Command {
  return new Command('vmcheck')
    .summary('check a Xen or KVM VMCS dump against the SDM VM-entry rules')
    .description('Run the SDM VM-entry checks on a Xen or KVM VMCS dump (pasted from a log or mail is fine).')
    .argument('<file>', "the text holding the dump, or - for standard input")
    .option('--profile <NAME>', `hypervisor profile for controls the dump lacks: ${PROFILE_NAMES.join(', ')} (default raw)`)
    .option('--dump <N>', 'check only the Nth dump of a text that has several (default: each)')
    .option('--json', 'print the report as one JSON object ({"dumps": [...]} for several dumps)')
    .action((file: string, opts: VmcheckOptions) => exitWith(main(file, opts)));
}

function readInput(file: string): string {
  if (file !== '-') return readInputFile(file, 'dump').toString('utf8');
  try {
    return readFileSync(0, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read standard input: ${errnoText(e)}`);
  }
}

function outcomeText(r: EntryReport): string {
  const o = r.outcome;
  if (o.result === 'enter') return 'pass — VM entry would succeed';
  if (o.result === 'vmfail') return `fail — VMLAUNCH/VMRESUME would VMfail with VM-instruction error 7 (invalid control fields; first: ${o.firstFailure})`;
  return `fail — VM entry would end in VM exit ${hex(o.exitReason)} (invalid guest state), exit qualification ${o.exitQualification} (first: ${o.firstFailure})`;
}

function human(dump: VmcsDump, profile: ProfileName, r: EntryReport, causes: RootCause[], hints: string[], warnings: string[]): string {
  const out: string[] = [];
  const count = (s: string) => r.checks.filter((c) => c.status === s).length;
  if (dump.count > 1) out.push(`== dump ${dump.index} of ${dump.count} (lines ${dump.firstLine}-${dump.lastLine}) ==`);
  out.push(`${dump.format} VMCS dump; profile ${profile}`);
  if (dump.failure) out.push(`log: ${dump.failure.text}`);
  out.push(`verdict: ${outcomeText(r)}`);
  out.push(`${count('fail')} failing, ${count('pass')} passing, ${count('skip')} skipped of ${r.checks.length} checks`);
  if (causes.length) {
    out.push('', `Root cause${causes.length > 1 ? 's' : ''}:`);
    for (const c of causes) out.push(`  - ${c.summary}${c.checks.length > 1 ? ` [${c.checks.length} checks: ${c.checks.join(', ')}]` : ` [${c.checks[0]}]`}`);
    for (const h of hints) out.push(`  ${profile}: ${h}`);
  }
  if (r.failures.length) {
    out.push('', 'Failures:');
    for (const f of r.failures) {
      out.push(`  ${f.id}  §${f.section} (§${f.oldSection} in 2008-2010 editions)  ${f.field}`);
      out.push(`      ${f.message}`);
    }
  }
  if (warnings.length) {
    out.push('', 'Warnings:');
    for (const w of warnings) out.push(`  - ${w}`);
  }
  out.push('', 'Skipped checks and their reasons: --json');
  return out.join('\n') + '\n';
}

/** The checks on one dump: the --json object and the human text. */
function checkDump(dump: VmcsDump, profile: ProfileName, profileGiven: boolean): { json: object; text: string } {
  const assume = dumpAssumptions(profile);
  const warnings = [...dump.warnings];
  const c = dump.controls;
  const cut = dump.controlsCut === true;
  if (cut) warnings.push(`the control section is cut: profile ${profile}'s assumptions are not used for controls it lacks (checks that need them are skipped)`);
  else if (c?.procBased2 === undefined && (c?.procBased === undefined || (c.procBased & 0x80000000) !== 0)) {
    warnings.push(`unrestricted guest not in the dump: assumed ${+assume.unrestrictedGuest!} (profile ${profile})`);
  }
  const ugBit = c?.procBased2 !== undefined ? (c.procBased2 & 0x80) !== 0 && (c.procBased === undefined || (c.procBased & 0x80000000) !== 0) : undefined;
  if (ugBit !== undefined && ugBit !== assume.unrestrictedGuest && profileGiven) {
    warnings.push(`the dump's controls have unrestricted guest = ${+ugBit}; they are used as dumped (--profile ${profile} only fills in controls a dump lacks)`);
  }
  if (c?.entry === undefined && !cut) warnings.push(`VM-entry controls not in the dump: IA-32e mode guest assumed 0 (profile ${profile})`);
  const report = runEntryChecks(dump, { assume });
  const causes = rootCauses(dump, report, assume);
  const logged = dump.failure?.exitReason ?? (dump.exit?.reason !== undefined && dump.exit.reason >>> 31 ? dump.exit.reason : undefined);
  if (logged !== undefined && (logged & 0xffff) === 0x21 && report.failures.length === 0) {
    warnings.push(`the log reports VM-entry failure ${hex(logged)} (invalid guest state) but no modelled check fails: the cause is outside what the dump shows `
      + '(e.g. the VMCS link pointer or PDPTEs in memory, a model-specific rule, or a field the dump does not print'
      + `${dump.unreadable ? ', or one of the values it gives unreadably, warned about above' : ''})`);
  }
  const hints = dumpHints(profile, causes);
  const o = report.outcome;
  const json = {
    source: dump.source,
    format: dump.format,
    dump: { index: dump.index, count: dump.count, firstLine: dump.firstLine, lastLine: dump.lastLine },
    profile,
    verdict: report.failures.length ? 'fail' : 'pass',
    outcome: o.result === 'vm-exit' ? { result: o.result, exitReason: o.exitReason, exitQualification: o.exitQualification, firstFailure: o.firstFailure } : o,
    checks: checksJson(report),
    rootCauses: causes,
    hints,
    ...(dump.failure ? { logFailure: { exitReason: dump.failure.exitReason, qualification: dump.failure.qualification, text: dump.failure.text } } : {}),
    warnings,
    guest: guestJson(dump.guest),
  };
  return { json, text: human(dump, profile, report, causes, hints, warnings) };
}

export async function main(file: string, opts: VmcheckOptions): Promise<number> {
  const profile: ProfileName = parseChoice(opts.profile ?? 'raw', '--profile', PROFILE_NAMES);
  const which = opts.dump === undefined ? undefined : parseWhole(opts.dump, '--dump', 1);
  const name = file === '-' ? 'standard input' : file;
  const text = readInput(file);
  let dumps: VmcsDump[];
  try {
    dumps = parseVmcsDumps(text);
  } catch (e) {
    if (e instanceof VmcsDumpError) throw new InputError(`${name}: ${e.message}`);
    throw e;
  }
  if (which !== undefined) {
    if (which > dumps.length) throw new InputError(`${name}: --dump ${which}, but the text has ${dumps.length} dump${dumps.length > 1 ? 's' : ''}`);
    dumps = [dumps[which - 1]];
  }
  const results = dumps.map((d) => checkDump(d, profile, opts.profile !== undefined));
  if (opts.json) {
    // One dump: its object; several: {"dumps": [...]} in text order.
    process.stdout.write(JSON.stringify(results.length === 1 ? results[0].json : { dumps: results.map((r) => r.json) }) + '\n');
  } else {
    process.stdout.write(results.map((r) => r.text).join('\n'));
  }
  return 0;
}
