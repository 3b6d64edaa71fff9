// `bootscope --help`, `bootscope <command> --help` and `--version`: every option of the CLI contract
// (docs/CLI.md) has its own line with a description, usage errors exit 2 with one line, and nothing
// the CLI prints points at files a user's copy does not have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const cli = (...args: string[]) => spawnSync('node', ['dist/cli.js', ...args], { encoding: 'utf8' });

const CONTRACT: Record<string, string[]> = {
  run: ['--floppy', '--cdrom [ISO]', '--hd <FILE>', '--fd <FILE>', '--boot <ORDER>', '--max <N>', '--until <ADDR>', '--trace <FILE>', '--trace-from <ADDR>', '--keys <TEXT>', '--bios <FILE>',
    '--firmware <NAME>', '--screen', '--json', '--cpu <MODEL>', '--clock <instructions|icount>', '--memory-mb <N>', '--profile <NAME>', '--break-on-vmentry-failure',
    '--break-on-emulation', '--magic-break', '--list-emulated <FILE>'],
  compare: ['--floppy', '--cdrom [ISO]', '--hd <FILE>', '--fd <FILE>', '--boot <ORDER>', '--memory-mb <N>', '--max <N>', '--context <N>', '--qemu <FILE>', '--accel <tcg|kvm>', '--bios <FILE>', '--vga-rom <FILE>',
    '--firmware <NAME>', '--clock <instructions|icount>', '--from-reset', '--no-acpi', '--resync-return'],
  vmcheck: ['--profile <NAME>', '--dump <N>', '--json'],
  'explain-fault': ['--image <FILE>', '--floppy', '--cpu <MODEL>', '--memory-mb <N>', '--max <N>', '--json'],
  disasm: ['--org <ADDR>', '--bits <16|32>'],
  conformance: ['--cpu <MODEL>', '--metadata <FILE>', '--json'],
  'trace-diff': ['--json', '--image <FILE>', '--org <ADDR>', '--range <LO..HI>', '--ignore <REG,..>', '--flags-mask <HEX>',
    '--context <N>', '--collapse-rep', '--resync'],
  dap: ['--port <N>', '--server <N>'],
  gdbserver: ['--port <N>', '--floppy', '--cdrom [ISO]', '--hd <FILE>', '--fd <FILE>', '--boot <ORDER>', '--cpu <MODEL>', '--memory-mb <N>', '--listing <FILE>', '--profile <NAME>',
    '--break-on-vmentry-failure', '--break-on-emulation', '--magic-break', '--no-record'],
};

test('--help lists every command, each command --help every option of the contract on its own line', () => {
  const top = cli('--help');
  assert.equal(top.status, 0, top.stderr);
  for (const name of Object.keys(CONTRACT)) assert.match(top.stdout, new RegExp(`^  ${name} .*\\S$`, 'm'), name);
  for (const [name, options] of Object.entries(CONTRACT)) {
    const r = cli(name, '--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: bootscope ${name} `));
    for (const o of options) {
      const escaped = o.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      assert.match(r.stdout, new RegExp(`^  ${escaped}  +\\S`, 'm'), `${name} --help: ${o}`);
    }
    assert.deepEqual(cli('help', name).stdout, r.stdout);
    assert.doesNotMatch(r.stdout, /shared/);
  }
  assert.doesNotMatch(top.stdout, /shared/);
});

test('--version prints the package version; no command is a usage error with the help on stderr', () => {
  const v = cli('--version');
  assert.equal(v.status, 0);
  assert.equal(v.stdout, `${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
  const none = cli();
  assert.equal(none.status, 2);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /^Usage: bootscope /);
  assert.doesNotMatch(none.stderr, /shared/);
});

test('usage errors: exit 2 and one line naming the command', () => {
  for (const [args, message] of [
    [['frob'], /^bootscope: unknown command 'frob'/],
    [['run', 'x.img', '--bogus'], /^bootscope run: unknown option '--bogus' \(see bootscope run --help\)\n$/],
    [['run', 'x.img', '--max'], /^bootscope run: option '--max <N>' argument missing/],
    [['run', 'x.img', '--max', '-5'], /^bootscope run: --max: '-5' is not a whole number of 0 or more/],
    [['run', 'x.img', '--memory-mb', '4096'], /^bootscope run: --memory-mb: '4096' is not a whole number from 1 to 3072/],
    [['disasm'], /^bootscope disasm: missing required argument 'file'/],
    [['disasm', 'a', 'b'], /^bootscope disasm: too many arguments/],
    [['vmcheck', 'x', '--profile', 'bochs'], /^bootscope vmcheck: --profile: 'bochs' is not one of raw, unrestricted, xen-vm86, kvm-rmode\n$/],
  ] as const) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
  }
});
