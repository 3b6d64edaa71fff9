// package.json's VS Code contributions against docs/CLI.md: command ids and titles (exactly), the
// `bootscope` debugger's launch attributes and defaults, activation events, breakpoints and grammars on disk.
// Also checks that the const enums in extension/contributions.ts spell the same ids and the profile lists are the
// protocol's. Node only, no 'vscode'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { DISASM_MIME } from '../../debug-adapter/disasmSources';
import { BOOT_NAMES } from '../../protocol/bootOrder';
import { CPU_MODEL_NAMES, FIRMWARE_NAMES, FPU_NAMES, LAUNCH_DEFAULTS, PROFILE_NAMES } from '../../protocol/launchConfig';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const contributes = pkg.contributes;

// From docs/CLI.md "VS Code contributions that outside checks use".
const COMMANDS: [string, string][] = [
  ['bootscope.showDescriptorTables', 'Bootscope: Show Descriptor Tables'],
  ['bootscope.showVmcs', 'Bootscope: Show VMCS'],
  ['bootscope.showVmEntryChecks', 'Bootscope: Why Would VM Entry Fail?'],
  ['bootscope.showScreen', 'Bootscope: Show Screen'],
  ['bootscope.showTimeline', 'Bootscope: Show Timeline'],
  ['bootscope.showFault', 'Bootscope: Why Did It Fault?'],
  ['bootscope.checkVmcsDump', 'Bootscope: Check VMCS Dump…'],
  ['bootscope.compareVmcsDump', 'Bootscope: Compare with VMCS Dump…'],
  ['bootscope.showCompare', 'Bootscope: Show Compare with QEMU'],
];

// No `category`: the CLI.md titles already begin with 'Bootscope: ', and a category would show it twice in the palette.
test('every command of CLI.md is contributed with its exact title', () => {
  for (const [id, title] of COMMANDS) {
    const c = contributes.commands.find((x: { command: string }) => x.command === id);
    assert.ok(c, `command ${id} missing`);
    assert.equal(c.title, title, id);
    assert.equal(c.category, undefined, id);
  }
});

test('the Commands const enum spells the same ids', () => {
  const src = readFileSync('extension/contributions.ts', 'utf8');
  const body = /export const enum Commands \{([^}]*)\}/.exec(src)?.[1] ?? '';
  const ids = [...body.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(ids, COMMANDS.map((c) => c[0]).sort());
});

const debuggerContrib = contributes.debuggers.find((d: { type: string }) => d.type === 'bootscope');

test('the bootscope debugger runs dist/debugAdapter.js under node', () => {
  assert.ok(debuggerContrib);
  assert.equal(debuggerContrib.program, './dist/debugAdapter.js');
  assert.equal(debuggerContrib.runtime, 'node');
  assert.ok(debuggerContrib.initialConfigurations.length > 0);
  assert.ok(debuggerContrib.configurationSnippets.length > 0);
});

test('launch attributes match CLI.md: image required (or bios, firmware or other drives), the rest with their defaults', () => {
  const launch = debuggerContrib.configurationAttributes.launch;
  assert.deepEqual(launch.anyOf, ['image', 'bios', 'firmware', 'hd', 'fd', 'cdrom'].map((k) => ({ required: [k] })));
  assert.deepEqual(launch.properties.boot.items.enum, BOOT_NAMES);
  const props = launch.properties;
  // The rows of docs/CLI.md's launch-configuration table, no more and no fewer.
  const docs = readFileSync('docs/CLI.md', 'utf8');
  const section = docs.slice(docs.indexOf('## Launch configuration'), docs.indexOf('\n## ', docs.indexOf('## Launch configuration') + 1));
  const documented = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
  assert.ok(documented.length >= 10, `docs/CLI.md's launch table: ${documented.join(', ')}`);
  assert.deepEqual(Object.keys(props).sort(), documented.sort());
  assert.equal(props.image.type, 'string');
  assert.equal(props.floppy.type, 'boolean');
  assert.equal(props.stopOnEntry.default, true);
  assert.equal(props.record.default, true);
  assert.equal(props.writeBack.default, false);
  assert.equal(props.breakOnVmEntryFailure.type, 'boolean');
  assert.deepEqual(props.cpu.enum, CPU_MODEL_NAMES);
  assert.equal(props.cpu.default, LAUNCH_DEFAULTS.cpu);
  assert.deepEqual(props.fpu.enum, FPU_NAMES);
  assert.deepEqual(props.profile.enum, ['raw', 'unrestricted', 'xen-vm86', 'kvm-rmode']);
  assert.deepEqual([].concat(props.listing.type).sort(), ['array', 'string']);
  assert.equal(props.memoryMB.type, 'integer');
  assert.ok(props.memoryMB.minimum >= 1);
  assert.equal(props.bios.type, 'string');
  assert.equal(props.vgaRom.type, 'string');
  assert.deepEqual(props.firmware.enum, FIRMWARE_NAMES);
});

test('activation: debug resolve, dynamic configurations and the VMCS dump commands; main is the bundle', () => {
  assert.equal(pkg.main, './dist/extension.js');
  for (const e of ['onDebugResolve:bootscope', 'onDebugDynamicConfigurations:bootscope', 'onCommand:bootscope.checkVmcsDump', 'onCommand:bootscope.compareVmcsDump']) {
    assert.ok(pkg.activationEvents.includes(e), e);
  }
});

test('breakpoints in C (DWARF line tables), nasm, asm and the disassembly language; grammars exist', () => {
  const langs = contributes.breakpoints.map((b: { language: string }) => b.language);
  for (const l of ['c', 'nasm', 'asm', 'bootscope-disassembly']) assert.ok(langs.includes(l), l);
  // The adapter's disassembly documents name this MIME type: VS Code picks the language (and so allows
  // breakpoints in them) by it.
  const disasm = contributes.languages.find((l: { id: string }) => l.id === 'bootscope-disassembly');
  assert.deepEqual(disasm.mimetypes, [DISASM_MIME]);
  for (const g of contributes.grammars) {
    assert.ok(existsSync(g.path), g.path);
    assert.ok(contributes.languages.some((l: { id: string }) => l.id === g.language), g.language);
    assert.equal(JSON.parse(readFileSync(g.path, 'utf8')).scopeName, g.scopeName);
  }
});

test('engines.vscode stays within what code-server 4.100.3 (VS Code 1.100) runs', () => {
  const m = /\^?1\.(\d+)/.exec(pkg.engines.vscode);
  assert.ok(m && Number(m[1]) <= 100, pkg.engines.vscode);
});

test('.vscodeignore keeps sources, tests and node_modules out of the package', () => {
  const lines = readFileSync('.vscodeignore', 'utf8').split('\n').map((l) => l.trim());
  for (const l of ['extension/**', 'debug-adapter/**', 'emulator/**', 'protocol/**', 'test/**', 'node_modules/**', '**/*.ts', '**/*.map']) assert.ok(lines.includes(l), l);
  assert.ok(!lines.some((l) => l === 'dist/**' || l === 'syntaxes/**'));
});

test('ready to publish: MIT LICENSE, CHANGELOG of this version, a 128x128 PNG icon and keywords; no made-up repository URL', () => {
  assert.equal(pkg.license, 'MIT');
  assert.match(readFileSync('LICENSE', 'utf8'), /^MIT License\n/);
  assert.ok(readFileSync('CHANGELOG.md', 'utf8').includes(`## ${pkg.version}`), `CHANGELOG.md has a ${pkg.version} section`);
  const png = readFileSync(pkg.icon);
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'icon size');
  // The project has no public repository yet: vsce is told so instead of being given an invented URL.
  assert.equal(pkg.repository, undefined);
  assert.ok(pkg.keywords.length >= 5 && pkg.keywords.length <= 30, 'keywords (the Marketplace takes at most 30)');
  assert.doesNotMatch(pkg.scripts.package, /--skip-license/);
});

test('the Getting Started walkthrough: open an image, press F5, open VM Entry Checks; its pages and commands exist', () => {
  const [walkthrough] = contributes.walkthroughs;
  assert.deepEqual(walkthrough.steps.map((s: { id: string }) => s.id), ['open', 'f5', 'vmEntryChecks']);
  const ours = new Set(contributes.commands.map((c: { command: string }) => c.command));
  for (const step of walkthrough.steps) {
    assert.ok(existsSync(step.media.markdown ?? step.media.image), `${step.id}: media`);
    for (const [, cmd] of step.description.matchAll(/\(command:([\w.]+)\)/g)) {
      assert.ok(!cmd.startsWith('bootscope.') || ours.has(cmd), `${step.id}: ${cmd} is contributed`);
      assert.ok(step.completionEvents.includes(`onCommand:${cmd}`), `${step.id}: completes on ${cmd}`);
    }
  }
  assert.ok(walkthrough.steps[2].description.includes('command:bootscope.showVmEntryChecks'));
});

test("package.json's profile lists (launch attribute, vmcheck setting) are protocol/launchConfig.ts's PROFILE_NAMES", () => {
  const dbg = contributes.debuggers.find((d: { type: string }) => d.type === 'bootscope');
  assert.deepEqual(dbg.configurationAttributes.launch.properties.profile.enum, [...PROFILE_NAMES]);
  assert.deepEqual(contributes.configuration.properties['bootscope.vmcheck.profile'].enum, [...PROFILE_NAMES]);
});
