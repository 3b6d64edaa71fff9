// `npm start`: builds Bootscope and the examples, then opens examples/ in VS Code with the extension loaded from this
// checkout (`code --extensionDevelopmentPath`), or in the code-server the UI tests install when `code` is absent.
// `npm start -- --headless` (or no editor at all) runs the vmentry-failure example under the xen-vm86 profile with
// "break when the hypervisor would emulate" and prints the diagnosis: where it stopped and which instruction did it,
// the verdict under every profile with the failing checks and their SDM sections, and the earlier instruction the
// state comes from (the last write to SS), found by running again with --until and a short --trace.
// `--example triple-fault` prints the triple-fault example's diagnosis instead: the stop, the faulting instruction
// with its source line, and the fault chain with the SDM rule of each link.
// Options: --headless, --example NAME, --no-build, --port N (code-server). Exit 0 when it did its job; 1 when the
// build fails or NAME is not an example with a headless diagnosis.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildExamples, BUILD_DIR, EXAMPLES_DIR } from './examples.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const PROFILES = ['raw', 'unrestricted', 'xen-vm86', 'kvm-rmode'];
const DIAGNOSES = { 'vmentry-failure': diagnose, 'triple-fault': diagnoseTripleFault };
const ORG = 0x7c00;

const argv = process.argv.slice(2);
const has = (f) => argv.includes(f);
const out = (s = '') => process.stdout.write(s + '\n');
const hex = (v, w = 4) => v.toString(16).toUpperCase().padStart(w, '0');
const rel = (p) => relative(process.cwd(), p) || '.';

function isLink(p) {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function realpathOr(p) {
  try {
    return realpathSync(p);
  } catch {
    return '';
  }
}

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

function build() {
  out('Building Bootscope (scripts/build.mjs) and the examples (scripts/examples.mjs)...');
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('scripts/build.mjs failed');
  buildExamples({ quiet: true });
}

/** Runs the CLI; returns exit code, stdout, stderr. */
function bootscope(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function runJson(args) {
  const r = bootscope(['run', ...args, '--json']);
  if (r.code !== 0) throw new Error(`bootscope run ${args.join(' ')}: exit ${r.code}: ${r.err.trim()}`);
  return JSON.parse(r.out);
}

// ---- the listing: address → instruction and source line -------------------------------------------------------

/** Every listing line that emitted bytes: { address, length, line, source, bytes }. */
function listingIndex(text, org) {
  const rows = [];
  for (const l of text.split('\n')) {
    const m = /^\s*(\d+)\s+([0-9A-F]{8})\s+([0-9A-F[\]()]+)\s+(.*)$/.exec(l);
    if (!m) continue;
    const bytes = m[3].replace(/[[\]()]/g, '');
    rows.push({ line: Number(m[1]), address: org + parseInt(m[2], 16), length: bytes.length / 2, source: m[4].trim(), bytes: bytes.toLowerCase() });
  }
  return rows;
}

/** `bootscope disasm` of the single instruction at `address` in the image (loaded at ORG). */
function disasmAt(imagePath, address, bits) {
  const img = readFileSync(imagePath);
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-start-'));
  try {
    const f = join(dir, 'insn.bin');
    writeFileSync(f, img.subarray(address - ORG, address - ORG + 16));
    const r = bootscope(['disasm', f, '--org', `0x${address.toString(16)}`, '--bits', String(bits)]);
    const first = r.out.split('\n')[0] ?? '';
    const m = /^[0-9a-f]{8}\s+([0-9a-f]+)\s+(.*)$/.exec(first);
    return m ? { bytes: m[1], text: m[2] } : { bytes: '', text: '(could not disassemble)' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --until takes the linear address: on main a SSSS:OOOO stop only fires where CS base = selector << 4 (real mode).
const linear = (stop) => `0x${((stop.segments.cs.base + stop.registers.eip) >>> 0).toString(16)}`;
const segoff = (sel, ip) => `${hex(sel)}:${hex(ip)}`;
const segText = (n, s) => `${n.toUpperCase()} ${hex(s.selector)} (RPL ${s.selector & 3})  base ${hex(s.base, 8)}  limit ${hex(s.limit, 8)}  access ${hex(s.access, 5)} (DPL ${(s.access >> 5) & 3})`;

function sourceRef(row, srcFile) {
  return row ? `${rel(srcFile)}:${row.line}  ${row.source.replace(/\s{2,}/g, '  ')}` : '(no listing line)';
}

// ---- the diagnosis ----------------------------------------------------------------------------------------------

function printVerdicts(verdicts) {
  out('Verdict under each hypervisor profile at this instruction:');
  for (const v of verdicts) {
    out(`  ${v.profile.padEnd(13)} ${v.verdict.padEnd(8)} ${v.reason}`);
    for (const f of v.failures) out(`  ${''.padEnd(13)}   ${f.id.padEnd(12)} §${f.section}  ${f.message}`);
  }
}

/**
 * The last write to SS before the stop: candidates are the listing's SS-writing instructions (mov ss, pop ss, lss)
 * before the stop; each is confirmed by running to it (--until) and tracing from it to the stop (--trace-from),
 * which must show SS taking the stopped value right after it and keeping it to the stop.
 */
function findSsWrite(image, rows, stop) {
  const stopAt = linear(stop);
  const candidates = rows.filter((r) => /^(mov\s+ss\s*,|pop\s+ss\b|lss\b)/i.test(r.source)).reverse();
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-start-'));
  try {
    for (const c of candidates) {
      const at = segoff(0, c.address);
      const reach = runJson([image, '--until', at, '--max', String(stop.instructions)]);
      if (reach.stopReason !== 'until' || reach.instructions >= stop.instructions) continue;
      const trace = join(dir, 'ss.jsonl');
      runJson([image, '--trace', trace, '--trace-from', at, '--until', stopAt, '--max', String(stop.instructions + 1)]);
      const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const after = lines.slice(1);
      if (after.length && after.every((l) => l.ss === stop.segments.ss.selector)) {
        return { row: c, n: lines[0].n, ssBefore: lines[0].ss, steps: stop.instructions - lines[0].n };
      }
    }
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function diagnose() {
  const name = 'vmentry-failure';
  const image = join(BUILD_DIR, `${name}.img`);
  const srcFile = join(EXAMPLES_DIR, name, `${name}.asm`);
  const rows = listingIndex(readFileSync(join(BUILD_DIR, `${name}.lst`), 'utf8'), ORG);
  const rowAt = (a) => rows.find((r) => r.address === a);
  const command = ['run', rel(image), '--profile', 'xen-vm86', '--break-on-emulation', '--json'];

  out('');
  out(`Bootscope headless: the ${name} example (what it is: examples/README.md)`);
  out(`$ bootscope ${command.join(' ')}`);
  const stop = runJson([image, ...command.slice(2, -1)]);
  if (stop.stopReason !== 'emulation') {
    out(`The run ended with stop reason '${stop.stopReason}' after ${stop.instructions} instructions instead of stopping where`);
    out('xen-vm86 would emulate: the example or the profile changed. `bootscope run ... --json` shows the state.');
    return;
  }

  const ip = stop.registers.eip;
  const cs = stop.segments.cs;
  const lin = (cs.base + ip) >>> 0;
  const bits = stop.mode === 'protected32' ? 32 : 16;
  const prev = rows.find((r) => r.address + r.length === lin);
  out('');
  out(`Stopped: ${stop.stopReason} after ${stop.instructions.toLocaleString('en-US')} instructions, at ${segoff(cs.selector, ip)} (mode ${stop.mode}).`);
  out(`xen-vm86: ${stop.vmentry.reason}`);
  if (prev) {
    const d = disasmAt(image, prev.address, bits);
    out(`  just executed  ${segoff(0, prev.address)}  ${d.bytes.padEnd(12)} ${d.text.padEnd(20)} ${sourceRef(prev, srcFile)}`);
  }
  const next = disasmAt(image, lin, bits);
  out(`  next           ${segoff(cs.selector, ip)}  ${next.bytes.padEnd(12)} ${next.text.padEnd(20)} ${sourceRef(rowAt(lin), srcFile)}`);
  out(`  CR0 ${hex(stop.control.cr0, 8)} (PE=${stop.control.cr0 & 1})`);
  out(`  ${segText('cs', cs)}`);
  out(`  ${segText('ss', stop.segments.ss)}`);
  out('');

  const at = linear(stop);
  printVerdicts(PROFILES.map((p) => (p === 'xen-vm86' ? stop.vmentry : runJson([image, '--profile', p, '--until', at]).vmentry)));
  out('');

  const cause = findSsWrite(image, rows, stop);
  if (cause) {
    const d = disasmAt(image, cause.row.address, 16);
    out('Where it started: the last write to SS before the stop (confirmed with --until and a --trace to the stop):');
    out(`  ${segoff(0, cause.row.address)}  ${d.bytes.padEnd(12)} ${d.text.padEnd(20)} ${sourceRef(cause.row, srcFile)}`);
    out(`  instruction #${cause.n.toLocaleString('en-US')}: SS ${hex(cause.ssBefore)} -> ${hex(stop.segments.ss.selector)}, unchanged for the ${cause.steps} instructions up to the stop.`);
    out(`  In real mode any paragraph is a valid SS; once CR0.PE is set its low bits are an RPL (${stop.segments.ss.selector & 3}) that CS (RPL ${cs.selector & 3}) does not share.`);
  } else {
    out('Where it started: no SS-writing instruction in the listing explains the stopped SS value.');
  }
  const reload = rows.find((r) => /;.*#SS_RELOAD(\s|$)/.test(r.source));
  if (reload) out(`Where it ends: SS is reloaded at linear 0x${hex(reload.address)}, ${sourceRef(reload, srcFile)}`);
  out('');
  out('Open it in the editor: npm start (examples/.vscode/launch.json, configuration "vmentry-failure (xen-vm86)").');
}

/**
 * A debug session with dist/debugAdapter.js over stdio (DAP framing), for what only a recording answers. `request`
 * resolves with a response's body (rejects on an error response); `stopped` with the next stopped event's body.
 */
function dapSession() {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'debugAdapter.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  let seq = 0, buf = Buffer.alloc(0);
  const pending = new Map();
  const waiters = [];
  child.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString())?.[1]);
      if (buf.length < head + 4 + len) return;
      const msg = JSON.parse(buf.subarray(head + 4, head + 4 + len).toString());
      buf = buf.subarray(head + 4 + len);
      if (msg.type === 'response') {
        const p = pending.get(msg.request_seq);
        pending.delete(msg.request_seq);
        if (msg.success) p?.resolve(msg.body ?? {});
        else p?.reject(new Error(`${msg.command}: ${msg.message}`));
      } else if (msg.type === 'event') {
        const i = waiters.findIndex((w) => w.event === msg.event);
        if (i >= 0) waiters.splice(i, 1)[0].resolve(msg.body ?? {});
      }
    }
  });
  const request = (command, args = {}) => new Promise((resolve, reject) => {
    const body = JSON.stringify({ seq: ++seq, type: 'request', command, arguments: args });
    pending.set(seq, { resolve, reject });
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
  const next = (event) => new Promise((resolve) => waiters.push({ event, resolve }));
  const close = async () => {
    await Promise.race([request('disconnect', {}).catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    child.kill();
  };
  return { request, next, close };
}

/**
 * The triple-fault example in a recorded debug session: its launch configuration runs to the triple fault, and
 * "find the write that broke it" on the first thing the first link's rule looked at travels back to the culprit.
 */
async function findTheWrite(image, listing, rows, srcFile) {
  const s = dapSession();
  try {
    await s.request('initialize', { adapterID: 'bootscope', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    const initialized = s.next('initialized');
    await s.request('launch', { type: 'bootscope', request: 'launch', image, listing, stopOnEntry: false, record: true });
    await initialized;
    const stop = s.next('stopped');
    await s.request('configurationDone');
    const ev = await stop;
    const fault = await s.request('bootscope/readFault');
    const subject = fault.links[0]?.subjects[0];
    if (!subject) return { ev, fault };
    const back = s.next('stopped');
    const found = await s.request('bootscope/findFaultWrite', { link: 0, subject: 0 });
    await back;
    const frame = (await s.request('stackTrace', { threadId: 1 })).stackFrames[0];
    const lin = parseInt(frame.instructionPointerReference, 16);
    return { ev, fault, subject, found, row: rows.find((r) => r.address === lin), lin };
  } finally {
    await s.close();
  }
}

/** examples/triple-fault: where it stopped, the instruction that faulted, the chain with its rules, the culprit. */
async function diagnoseTripleFault() {
  const name = 'triple-fault';
  const image = join(BUILD_DIR, `${name}.img`);
  const srcFile = join(EXAMPLES_DIR, name, `${name}.asm`);
  const rows = listingIndex(readFileSync(join(BUILD_DIR, `${name}.lst`), 'utf8'), ORG);
  const command = ['run', rel(image), '--json'];

  out('');
  out(`Bootscope headless: the ${name} example (what it is: examples/README.md)`);
  out(`$ bootscope ${command.join(' ')}`);
  const stop = runJson([image]);
  const chain = stop.fault?.chain ?? [];
  if (stop.stopReason !== 'triple-fault' || !chain.length) {
    out(`The run ended with stop reason '${stop.stopReason}' after ${stop.instructions} instructions instead of a triple`);
    out('fault with its chain: the example changed. `bootscope run ... --json` shows the state.');
    return;
  }
  const cs = stop.segments.cs;
  const first = chain[0];
  const lin = (cs.base + first.eip) >>> 0;
  out('');
  out(`Stopped: triple fault after ${stop.instructions.toLocaleString('en-US')} instructions, before the reset, at ${segoff(cs.selector, stop.registers.eip)} (mode ${stop.mode}).`);
  const d = disasmAt(image, lin, stop.mode === 'protected32' ? 32 : 16);
  out(`  faulting       ${segoff(first.cs, first.eip)}  ${d.bytes.padEnd(12)} ${d.text.padEnd(20)} ${sourceRef(rows.find((r) => r.address === lin), srcFile)}`);
  out('');
  out(`The fault chain (${chain.length} links; the same in the Debug Console as \`info fault\`):`);
  chain.forEach((l, i) => {
    out(`  ${i + 1}. vector ${l.vector}${l.errorCode >= 0 ? ` error code ${hex(l.errorCode)}` : ''} at ${segoff(l.cs, l.eip)}`);
    if (l.rule) out(`     ${l.rule} (SDM ${l.section}): ${l.explanation}`);
    if (l.raised) out(`     raised vector ${l.raised.vector}${l.raised.errorCode >= 0 ? ` error code ${hex(l.raised.errorCode)}` : ''}`);
    if (l.then) out(`     then ${l.then.rule} (SDM ${l.then.section}): ${l.then.explanation}`);
  });
  out('');

  const listing = join(BUILD_DIR, `${name}.lst`);
  const w = await findTheWrite(image, listing, rows, srcFile);
  out(`The same in a debug session (launch configuration "triple-fault", recording on): stopped with "${w.ev.description}".`);
  if (w.found) {
    out(`Find the write that broke it (the Why Did It Fault? panel; \`fault write 1.1\` in the Debug Console), on ${w.subject.label}:`);
    const d2 = disasmAt(image, w.lin, 32);
    out(`  ${d2.bytes.padEnd(12)} ${d2.text.padEnd(28)} ${sourceRef(w.row, srcFile)}`);
    out(`  ${w.found.message}`);
  } else {
    out('The first link names nothing to search back to: the example changed.');
  }
  out('');
  out('Open it in the editor: npm start (examples/.vscode/launch.json, configuration "triple-fault").');
}

// ---- the editor ---------------------------------------------------------------------------------------------------

/** code-server on PATH, or the one test/e2e/setup.sh installs (with its config kept in that cache, as setup.sh does). */
function codeServer() {
  const onPath = which('code-server');
  if (onPath) return { path: onPath, env: process.env };
  const cache = process.env.BOOTSCOPE_E2E_CACHE ?? join(homedir(), '.cache', 'bootscope-e2e');
  const cached = join(cache, 'node_modules', '.bin', 'code-server');
  if (!existsSync(cached)) return null;
  const xdg = join(cache, 'xdg');
  return { path: cached, env: { ...process.env, XDG_CONFIG_HOME: join(xdg, 'config'), XDG_DATA_HOME: join(xdg, 'data'), XDG_CACHE_HOME: join(xdg, 'cache') } };
}

/** Returns true when an editor was started. */
function openEditor() {
  const workspace = join(ROOT, 'examples');
  const code = which('code');
  if (code) {
    out(`Opening ${rel(workspace)} in VS Code with the extension from ${rel(ROOT) === '.' ? 'this checkout' : ROOT}...`);
    const child = spawn(code, [`--extensionDevelopmentPath=${ROOT}`, workspace], { detached: true, stdio: 'ignore' });
    child.unref();
    out('Pick a configuration in Run and Debug (one per example) and press F5; examples/README.md says what to look at.');
    return true;
  }
  const cs = codeServer();
  if (cs) {
    // code-server has no --extensionDevelopmentPath: it loads this checkout as an extension from a private extensions
    // directory (a link named publisher.name-version), the way the UI tests do.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const ext = join(tmpdir(), 'bootscope-start-extensions');
    mkdirSync(ext, { recursive: true });
    const link = join(ext, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
    if (existsSync(link) || isLink(link)) {
      if (realpathOr(link) !== realpathOr(ROOT)) rmSync(link, { recursive: false, force: true });
    }
    if (!existsSync(link)) symlinkSync(ROOT, link, 'dir');
    const portArg = argv.indexOf('--port');
    const port = portArg >= 0 ? argv[portArg + 1] : '8080';
    out(`VS Code (code) is not on PATH; starting code-server (${cs.path}).`);
    out(`Open http://127.0.0.1:${port}/?folder=${encodeURI(workspace)} in a browser; Ctrl-C stops it.`);
    const child = spawn(cs.path, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--extensions-dir', ext, '--disable-telemetry', workspace], { stdio: 'inherit', env: cs.env });
    child.on('exit', (c) => process.exit(c ?? 0));
    return true;
  }
  out('No editor found: neither `code` (VS Code) nor code-server is on PATH.');
  out('  - Install VS Code and run `npm start` again, or open it by hand:');
  out(`      code --extensionDevelopmentPath=${ROOT} ${workspace}`);
  out('  - Or install the UI tests\' code-server: bash test/e2e/setup.sh');
  out('Meanwhile, here is the headless diagnosis (npm start -- --headless):');
  return false;
}

async function main() {
  if (has('--help') || has('-h')) {
    out(`usage: npm start [-- --headless] [--example ${Object.keys(DIAGNOSES).join('|')}] [--no-build] [--port N]`);
    return 0;
  }
  const exampleArg = argv.indexOf('--example');
  const example = exampleArg >= 0 ? argv[exampleArg + 1] : 'vmentry-failure';
  const diagnosis = DIAGNOSES[example];
  if (!diagnosis) throw new Error(`--example: '${example ?? ''}' has no headless diagnosis; use ${Object.keys(DIAGNOSES).join(' or ')}`);
  if (!has('--no-build')) build();
  else if (!existsSync(CLI) || !existsSync(join(BUILD_DIR, `${example}.img`))) throw new Error('--no-build: dist/ or examples/build/ is missing; run npm start without it once');
  if (has('--headless') || !openEditor()) await diagnosis();
  return 0;
}

main().then((code) => { if (code !== 0) process.exit(code); }, (e) => {
  process.stderr.write(`npm start: ${e.message}\n`);
  process.exit(1);
});
