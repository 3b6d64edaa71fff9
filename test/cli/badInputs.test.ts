// @tier full
// Every command (gdbserver too) against the inputs a careless user gives it — a missing file, a
// directory, an empty file, a FIFO, an unreadable file, text where data belongs, bad numbers, unknown
// options: the exit code docs/CLI.md gives (1 bad input, 2 usage), one line on stderr naming what is
// wrong, no stack trace, nothing on stdout, never a hang, and no input file changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-bad-'));
chmodSync(dir, 0o755);
const at = (name: string) => join(dir, name);
// root reads files whatever their mode: run as nobody there, as a user whose file is unreadable is.
const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];

function fixtures(): void {
  const boot = Buffer.alloc(512);
  boot.set([0xeb, 0xfe]);
  boot.set([0x55, 0xaa], 510);
  writeFileSync(at('boot.img'), boot);
  writeFileSync(at('empty'), '');
  writeFileSync(at('text'), 'hello\nworld\n');
  writeFileSync(at('unreadable'), boot);
  chmodSync(at('unreadable'), 0o000);
  writeFileSync(at('numbers.json'), '[1,2,3]');
  writeFileSync(at('objects.json'), '[{}]');
  writeFileSync(at('meta.json'), '{}');
  mkdirSync(at('dir'));
  execFileSync('mkfifo', [at('fifo')]);
}

/** Contents and modification times of every file in the directory. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const st = statSync(at(name));
    out.set(name, `${st.mtimeMs} ${st.size} ${st.isFile() && name !== 'unreadable' ? readFileSync(at(name)).toString('hex') : ''}`);
  }
  return out;
}

const BAD_FILES = ['missing', 'dir', 'empty', 'fifo', 'unreadable', 'text'];

/** [arguments, expected exit code] for each command and bad input. */
function cases(): [string[], number][] {
  const out: [string[], number][] = [];
  for (const name of BAD_FILES) {
    const f = at(name);
    out.push(
      [['run', f], 1],
      [['run', '--bios', f], 1],
      [['run', f, '--floppy'], 1],
      [['run', f, '--cdrom'], 1],
      [['vmcheck', f], 1],
      [['explain-fault', f], 1],
      [['conformance', f], 1],
      [['conformance', at('text'), '--metadata', f], 1],
      [['trace-diff', f, at('text')], 1],
      [['trace-diff', at('text'), f], 1],
      [['gdbserver', f, '--port', '0'], 1],
      [['gdbserver', f, '--cdrom', '--port', '0'], 1],
      [['compare', f], 1],
      [['compare', f, '--floppy'], 1],
      [['disasm', at('boot.img'), '--symbols', f], 1],
      [['run', at('boot.img'), '--symbols', f], 1],
      [['gdbserver', at('boot.img'), '--port', '0', '--symbols', f], 1],
    );
    // An empty or text file is something to disassemble; the others are not files that can be read.
    if (name !== 'empty' && name !== 'text') {
      out.push([['disasm', f], 1], [['trace-diff', at('text'), at('text'), '--image', f], 1],
        [['gdbserver', at('boot.img'), '--port', '0', '--listing', f], 1]);
    }
  }
  // SingleStepTests files that parse as JSON but hold no vectors, and metadata without opcodes.
  out.push([['conformance', at('numbers.json')], 1], [['conformance', at('objects.json')], 1],
    [['conformance', at('numbers.json'), '--metadata', at('meta.json')], 1], [['conformance', at('objects.json'), '--cpu', '8086'], 1]);
  const img = at('boot.img');
  for (const bad of [['--max', '-5'], ['--max', '1e3'], ['--max', ''], ['--memory-mb', '0'], ['--memory-mb', '99999999999999999999'],
    ['--until', '7c00'], ['--until', '0x123456789'], ['--trace-from', 'x'], ['--cpu', '486'], ['--profile', 'bochs'], ['--bogus'],
    ['--max'], ['--break-on-emulation'], ['--trace-from', '0x7c00'], ['--keys', '\u00e9'], ['--firmware', 'ovmf'], ['--firmware', 'builtin', '--bios', img],
    ['--vga-rom', img]]) out.push([['run', img, ...bad], 2]);
  out.push([['run'], 2], [['run', img, img], 2]);
  for (const bad of [['--org', '-1'], ['--org', '0x100000000'], ['--bits', '64'], ['--bogus']]) out.push([['disasm', at('text'), ...bad], 2]);
  out.push([['disasm'], 2]);
  for (const bad of [['--profile', 'bochs'], ['--bogus']]) out.push([['vmcheck', at('text'), ...bad], 2]);
  for (const bad of [['--floppy'], ['--max', '0'], ['--cpu', '486'], ['--memory-mb', '0'], ['--bogus']]) out.push([['explain-fault', at('text'), ...bad], 2]);
  out.push([['explain-fault'], 2]);
  for (const bad of [['--cpu', '486'], ['--bogus']]) out.push([['conformance', at('text'), ...bad], 2]);
  out.push([['conformance'], 2]);
  for (const bad of [['--context', '-1'], ['--range', '1..x'], ['--flags-mask', 'zz'], ['--ignore', 'foo'], ['--org', 'x'], ['--org', '0'], ['--bogus']]) {
    out.push([['trace-diff', at('text'), at('text'), ...bad], 2]);
  }
  out.push([['trace-diff', at('text')], 2]);
  for (const bad of [['--max', '0'], ['--max', 'x'], ['--context', '51'], ['--memory-mb', '0'], ['--floppy', '--cdrom'], ['--accel', 'hvf'], ['--clock', 'wall'],
    ['--accel', 'kvm', '--clock', 'icount'], ['--vga-rom', img], ['--from-reset'], ['--no-acpi'], ['--bogus'], ['extra']]) {
    out.push([['compare', img, ...bad], 2]);
  }
  out.push([['compare'], 2]);
  for (const bad of [['--port', 'x'], ['--port', '70000'], ['--bogus'], ['extra']]) out.push([['dap', ...bad], 2]);
  for (const bad of [['--port', 'x'], ['--port', '70000'], ['--memory-mb', '0'], ['--cpu', '486'], ['--profile', 'bochs'],
    ['--break-on-emulation'], ['--bogus'], ['--boot', 'net'], ['--hd', img]]) out.push([['gdbserver', img, ...bad], 2]);
  out.push([['gdbserver'], 2], [['gdbserver', img, img], 2]);
  out.push([['frobnicate'], 2], [['--bogus'], 2]);
  return out;
}

test('every command, every bad input: exit 1 or 2, one line on stderr, no stack trace, inputs untouched', () => {
  fixtures();
  const before = snapshot();
  const [cmd, ...pre] = [...asUser, process.execPath, join(process.cwd(), 'dist/cli.js')];
  const failures: string[] = [];
  for (const [args, code] of cases()) {
    const r = spawnSync(cmd, [...pre, ...args], { encoding: 'utf8', timeout: 20_000, cwd: dir });
    const what = `bootscope ${args.join(' ')}`;
    if (r.signal) failures.push(`${what}: did not end within 20 s`);
    else if (r.status !== code) failures.push(`${what}: exit ${r.status}, expected ${code}: ${r.stderr}`);
    else if (!/^bootscope( [a-z-]+)?: [^\n]+\n$/.test(r.stderr)) failures.push(`${what}: not one line on stderr: ${JSON.stringify(r.stderr)}`);
    else if (/\n\s+at |Error:|internal error/.test(r.stderr)) failures.push(`${what}: ${r.stderr}`);
    else if (r.stdout !== '') failures.push(`${what}: wrote to stdout: ${r.stdout.slice(0, 200)}`);
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(snapshot(), before);
});

test('the messages say what and which file', () => {
  const run = (...args: string[]) => spawnSync(asUser[0] ?? process.execPath, [...asUser.slice(1), ...(asUser.length ? [process.execPath] : []),
    join(process.cwd(), 'dist/cli.js'), ...args], { encoding: 'utf8', cwd: dir }).stderr;
  assert.equal(run('run', 'missing'), "bootscope run: cannot read image 'missing': no such file\n");
  assert.equal(run('run', 'unreadable'), "bootscope run: cannot read image 'unreadable': permission denied\n");
  assert.equal(run('disasm', 'dir'), "bootscope disasm: cannot read file 'dir': it is a directory\n");
  assert.equal(run('run', 'empty'), 'bootscope run: empty: the image is empty (0 bytes); expected a 512-byte boot sector or a disk image\n');
  assert.equal(run('run', 'boot.img', '--bios', 'text'),
    "bootscope run: firmware image 'text': 12 bytes is not a multiple of 4 KiB (firmware images are 64 KiB, 128 KiB, 256 KiB, ...)\n");
  assert.equal(run('conformance', 'text'), `bootscope conformance: text: ${jsonError('hello\nworld\n')}\n`);
  assert.equal(run('conformance', 'numbers.json'), 'bootscope conformance: numbers.json: vector 0 is not an object\n');
  assert.equal(run('conformance', 'objects.json'), "bootscope conformance: objects.json: vector 0 has no 'name' string\n");
  assert.equal(run('conformance', 'objects.json', '--metadata', 'meta.json'),
    "bootscope conformance: metadata meta.json: no 'opcodes' object of opcode entries (expected SingleStepTests metadata.json)\n");
  assert.equal(run('trace-diff', 'empty', 'text'), 'bootscope trace-diff: empty: no trace records (expected the JSON Lines of bootscope run --trace)\n');
  assert.equal(run('trace-diff', 'text', 'text'), 'bootscope trace-diff: text: line 1: not a JSON object\n');
  assert.equal(run('run', 'boot.img', '--max', '-5'), "bootscope run: --max: '-5' is not a whole number of 0 or more (decimal, or hex with 0x)\n");
});

/** JSON.parse's own message for `text`, on one line. */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message.replace(/\s*\n\s*/g, ' ');
  }
  return '';
}

test('dap --port on a port in use: one line, exit 1', async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  try {
    const child = spawn(process.execPath, ['dist/cli.js', 'dap', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const [code] = await once(child, 'exit');
    assert.equal(code, 1);
    assert.equal(stderr, `bootscope dap: cannot listen on 127.0.0.1:${port}: the port is in use\n`);
  } finally {
    server.close();
  }
});
