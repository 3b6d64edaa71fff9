// The panels' HTML (extension/views/*/render.ts): headings, strict CSP with one nonce'd script, and every string
// from the guest, a disk or a pasted dump escaped — a `<script>` fed through a dump and a guest string stays text.
// Also renders the real `bootscope vmcheck --json` output of a Xen fixture. Node only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { DescriptorTablesResponse, ReadCompareResponse, ReadFaultResponse, ScreenResponse, TimelineResponse } from '../../protocol/customRequests';
import type { VmcheckDumpsJson, VmcheckJson } from '../../protocol/webview';
import { esc, type Html, html, page } from '../../extension/views/html';
import { fromDump, renderChecks } from '../../extension/views/vmEntryCheck/render';
import { describeAccess, renderVmcs, rowsFromDump } from '../../extension/views/vmcs/render';
import { renderDescriptorTables } from '../../extension/views/descriptorTables/render';
import { renderScreen } from '../../extension/views/screen/render';
import { renderTimeline, zoomWindow } from '../../extension/views/timeline/render';
import { renderFault } from '../../extension/views/fault/render';
import { renderCompare } from '../../extension/views/compare/render';

const EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">';
const NONCE = 'bm9uY2Vub25jZQ==';

/** Only our own nonce'd script may exist; no event-handler attributes; no raw tags from the data. */
function assertInert(html: string): void {
  const scripts = [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
  assert.deepEqual(scripts, [`<script nonce="${NONCE}">`]);
  assert.ok(!/<img\b/i.test(html), 'an <img> tag came through');
  // Data quotes are escaped, so quoted attribute values end where ours do; outside them no tag may carry a handler.
  assert.ok(!/<[^>]*\son\w+\s*=/i.test(html.replace(/"[^"]*"/g, '""')), 'an event-handler attribute came through');
  assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'), 'the text is shown escaped');
}

const wrap = (title: string, body: Html) => page({ title, body, nonce: NONCE, cspSource: 'vscode-webview://x' });

test('esc covers the HTML specials', () => {
  assert.equal(esc(`<a href="x" onclick='y'>&\``), '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#96;');
});

test('page: strict CSP, nonce, heading', () => {
  const doc = wrap('VM Entry Checks', html`<p>x</p>`).replaceAll('&#39;', "'");
  assert.match(doc, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src vscode-webview:\/\/x 'nonce-bm9uY2Vub25jZQ=='; script-src 'nonce-bm9uY2Vub25jZQ=='/);
  assert.doesNotMatch(doc, /unsafe-inline/);
  assert.match(doc, /<style nonce="bm9uY2Vub25jZQ==">/);
  assert.ok(!/https?:\/\//.test(doc), 'no remote content');
  assert.match(doc, /<h1 id="heading">VM Entry Checks<\/h1>/);
});

test('a <script> in a pasted dump stays text in VM Entry Checks and VMCS', () => {
  const dump: VmcheckJson = {
    source: 'xen', format: EVIL, profile: 'raw', verdict: 'fail', hints: [EVIL], warnings: [],
    checks: [{ id: EVIL, section: '26.3.1.2', field: EVIL, status: 'fail', message: EVIL }, { id: 'CR0.PG_PE', section: '26.3.1.1', field: 'GUEST_CR0', status: 'pass', message: 'ok' }],
    rootCauses: [{ id: 'x', summary: EVIL, checks: [EVIL] }],
    guest: { cs: { selector: 8, base: 0, limit: 0xffffffff, access: 0xc09b }, cr0: 0x11 },
  };
  assertInert(wrap('VM Entry Checks', renderChecks(fromDump(dump, EVIL), { dumpActions: true })));
  assertInert(wrap('VMCS', renderVmcs({ profile: 'raw', source: EVIL, rows: rowsFromDump(dump.guest), showPicker: false })));
});

test('a <script> in guest memory stays text in Screen, Descriptor Tables and Timeline', () => {
  const screen: ScreenResponse = { columns: 80, rows: 2, text: [EVIL, 'ok'], attributes: new Array(160).fill(0x1f), cursor: { row: 1, column: 0, visible: true } };
  const s = wrap('Screen', renderScreen(screen, false));
  assertInert(s);
  assert.match(s, /id="cursor"/);
  const dt: DescriptorTablesResponse = {
    mode: 'pm32',
    segments: { cs: { selector: 8, base: 0, limit: 0xffffffff, access: 0xc09b }, ds: { selector: 16, base: 0, limit: 0xffffffff, access: 0xc093 }, es: { selector: 16, base: 0, limit: 0xffffffff, access: 0xc093 }, ss: { selector: 16, base: 0, limit: 0xffffffff, access: 0xc093 }, fs: { selector: 0, base: 0, limit: 0xffff, access: 0x10000 }, gs: { selector: 0, base: 0, limit: 0xffff, access: 0x10000 }, ldtr: { selector: 0, base: 0, limit: 0, access: 0x10000 }, tr: { selector: 0x18, base: 0x1000, limit: 0x67, access: 0x8b } },
    tables: [{ name: 'gdt', base: 0x7e00, limit: 0x1f, entries: [{ index: 1, selector: 8, linear: 0x7e08, raw: [0xffff, 0xcf9a00], type: EVIL, base: 0, limit: 0xfffff, dpl: 0, present: true, db: true, g: true, explain: EVIL, cachedBy: ['CS'] }] },
      { name: 'idt', base: 0, limit: 0x7ff, entries: [{ index: 13, selector: 13, linear: 0x68, raw: [0, 0], type: '386 interrupt gate', dpl: 0, present: true, gate: { selector: 8, offset: 0x1234 }, explain: '#GP handler' }] }],
    tss: { selector: 0x18, base: 0x1000, limit: 0x67, width: 32, stacks: [{ ring: 0, ss: 0x10, esp: 0x9000 }], ioMapBase: 0x68, fields: [{ name: EVIL, value: 1 }] },
  };
  const d = wrap('Descriptor Tables', renderDescriptorTables(dt));
  assertInert(d);
  assert.match(d, /class="cached"/);
  assert.match(d, /data-msg="\{&#34;type&#34;:&#34;disassemble&#34;,&#34;selector&#34;:8,&#34;offset&#34;:4660\}"/);
  const tl: TimelineResponse = { first: 0, last: 1000, recordedFirst: 0, recordedLast: 1000, current: 500, modes: [{ from: 0, to: 400, value: 'real' }, { from: 400, to: 1000, value: 'pm32' }], verdicts: [{ from: 0, to: 1000, value: 'fail' }], events: [{ at: 10, kind: 'bios', label: EVIL }] };
  assertInert(wrap('Timeline', renderTimeline(tl, 'xen-vm86')));
});

test('Compare: both states with the difference marked and the excused one noted, the instruction, the history; every field escaped', () => {
  const r: ReadCompareResponse = {
    state: 'diverged', summary: EVIL, reference: EVIL,
    rows: [{ name: 'cs:eip', ours: '0000:00007c0d', qemu: '0000:00007c0d', mark: 'same' }, { name: 'eax', ours: '0000efc7', qemu: '0000601c', mark: 'differs' },
      { name: 'eflags', ours: EVIL, qemu: '00000046', mark: 'excused' }],
    instruction: { index: 6, where: '0000:00007c0d lin=00007c0d', text: EVIL, instruction: 6, qemuWhere: EVIL, controlFlow: true },
    history: [{ index: 5, where: EVIL, text: 'mov ax,[0x78]', instruction: 5 }], rules: [EVIL],
  };
  const doc = wrap('Compare', renderCompare(r));
  assertInert(doc);
  assert.match(doc, /<tr class="diff" data-register="eax"><td class="mono">eax<\/td><td class="mono">0000efc7<\/td><td class="mono">0000601c<\/td><td>differs<\/td><\/tr>/);
  assert.match(doc, /<tr class="excused" data-register="eflags">.*<td>differs, excused<\/td><\/tr>/);
  assert.match(doc, /<tr class="" data-register="cs:eip">/);
  assert.match(doc, /data-msg="\{&#34;type&#34;:&#34;travel&#34;,&#34;instruction&#34;:5\}"/);
  assert.match(doc, /id="compare-again" data-msg="\{&#34;type&#34;:&#34;compareAgain&#34;\}"/);
  // Nothing to compare, or a run going on: no button.
  assert.doesNotMatch(renderCompare({ state: 'unavailable', summary: 'no' }).text, /compare-again/);
  assert.doesNotMatch(renderCompare({ state: 'running', summary: 'comparing' }).text, /compare-again/);
});

test('timeline zoom: ten times narrower around the current position, wider around the middle, clamped to the recording', () => {
  const whole = { first: 0, last: 1_000_000, recordedFirst: 0, recordedLast: 1_000_000, current: 999_990 };
  const in1 = zoomWindow('in', whole)!;
  assert.deepEqual(in1, { from: 900_000, to: 1_000_000 }, 'kept inside the recording at the end');
  const in2 = zoomWindow('in', { ...whole, ...{ first: in1.from, last: in1.to }, current: 950_000 })!;
  assert.deepEqual(in2, { from: 945_000, to: 955_000 });
  assert.deepEqual(zoomWindow('out', { ...whole, first: in2.from, last: in2.to }), { from: 900_000, to: 1_000_000 });
  assert.equal(zoomWindow('out', { ...whole, first: in1.from, last: in1.to }), null, 'wider than the recording: the whole run');
  assert.equal(zoomWindow('all', { ...whole, first: in2.from, last: in2.to }), null);
  assert.deepEqual(zoomWindow('in', { ...whole, first: 0, last: 100, current: 250 }), { from: 240, to: 260 }, 'at least 20 instructions');
  // A zoomed answer offers Zoom out and Whole run, and draws no marker when the position lies outside the window.
  const tl = renderTimeline({ ...whole, first: 100, last: 200, current: 999_990, modes: [{ from: 100, to: 200, value: 'real' }], verdicts: [], events: [] }, 'raw').text;
  assert.match(tl, /instructions 100–200 of 0–1000000/);
  assert.doesNotMatch(tl, /class="marker"/);
  assert.doesNotMatch(tl, /disabled/);
  // A timeline still being built says how far it got.
  assert.match(renderTimeline({ ...whole, modes: [], verdicts: [], events: [], building: { done: 5, total: 10 } }, 'raw').text, /building the timeline: 50% of the recording replayed/);
});

test('access rights decode', () => {
  assert.equal(describeAccess(0xc09b), 'code RX, accessed, DPL 0, P, D/B=32, G');
  assert.equal(describeAccess(0x93), 'data RW, accessed, DPL 0, P, D/B=16');
  assert.equal(describeAccess(0x8b), '32-bit TSS (busy), DPL 0, P');
  assert.equal(describeAccess(0x10000), 'unusable');
});

test('real vmcheck --json of a Xen fixture renders failures first, grouped by root cause', { skip: !existsSync('dist/cli.js') && 'dist/cli.js not built' }, () => {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'vmcheck', '-', '--json'], { input: readFileSync('test/vmx/fixtures/xen34-v86-pm.txt') });
  assert.equal(r.status, 0, r.stderr.toString());
  const j = JSON.parse(r.stdout.toString()) as VmcheckJson;
  const checks = renderChecks(fromDump(j, 'xen.log')).text;
  assert.match(checks, /id="verdict">fail</);
  assert.match(checks, /<h2>Root cause: protected-mode segment state with EFLAGS.VM set/);
  assert.ok(checks.indexOf('V86.BASE.CS') < checks.indexOf('CR0.PG_PE'), 'failures come before passes');
  const vmcs = renderVmcs({ profile: 'raw', source: 'x', rows: rowsFromDump(j.guest), showPicker: false }).text;
  assert.match(vmcs, /<h2>Segment registers<\/h2>/);
  // One row per segment: selector, base, limit, access rights and their decoding (CS = 0008, 32-bit code).
  assert.match(vmcs, /<tr><td>CS<\/td><td class="mono" data-field="GUEST_CS_SELECTOR">0x0008<\/td>.*?<td class="note">code RX, accessed, DPL 0, P, D\/B=32, G<\/td><\/tr>/);
});

test('"Check VMCS Dump…" on a text with a KVM and a Xen dump: each labelled with its source and lines', { skip: !existsSync('dist/cli.js') && 'dist/cli.js not built' }, () => {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'vmcheck', '-', '--json'], { input: readFileSync('test/vmx/fixtures/kvm-then-xen.txt') });
  assert.equal(r.status, 0, r.stderr.toString());
  const { dumps } = JSON.parse(r.stdout.toString()) as VmcheckDumpsJson;
  assert.equal(dumps.length, 2);
  assert.match(renderChecks(fromDump(dumps[0], 'boot.log')).text, /KVM dump \(KVM dump_vmcs\) from boot\.log, dump 1 of 2 \(lines 1-42\)/);
  assert.match(renderChecks(fromDump(dumps[1], 'boot.log')).text, /Xen dump \(Xen 3\.4-4\.5 \(sel=\/attr= lines\)\) from boot\.log, dump 2 of 2 \(lines 43-87\)/);
});

test('html tag: every interpolated value escaped whatever its type; Html fragments and arrays of them are not escaped twice', () => {
  const n = 5 as unknown;
  assert.equal(html`<td title="${EVIL}">${n}${null}${undefined}${{ toString: () => '"><b>' }}</td>`.text,
    '<td title="&#60;script&#62;alert(1)&#60;/script&#62;&#60;img src=x onerror=&#34;alert(2)&#34;&#62;">5&#34;&#62;&#60;b&#62;</td>');
  const inner = html`<b>${'<i>'}</b>`;
  assert.equal(html`<p>${inner}${[inner, '<x>']}</p>`.text, '<p><b>&#60;i&#62;</b><b>&#60;i&#62;</b>&#60;x&#62;</p>');
});

/** A copy of `v` with every string and number replaced by `evil` (an adapter answer is data whatever its type). */
function poison<T>(v: T, evil: string): T {
  if (typeof v === 'string' || typeof v === 'number') return evil as unknown as T;
  if (Array.isArray(v)) return v.map((x) => poison(x, evil)) as unknown as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, poison(x, evil)])) as T;
  return v;
}

// bootscope/readFault as the triple-fault example's stop answers it (trimmed to one subject of each kind).
const FAULT: ReadFaultResponse = {
  instruction: 874, current: true, path: '#DE → #DF → shutdown', tripleFault: true,
  links: [{
    vector: 0, name: '#DE divide error', kind: 'exception', errorCode: -1, cs: 0x18, eip: 0x7c91,
    cause: { id: 'SEG.LOAD.SS.TYPE', section: 'Vol. 2 MOV', text: 'SS is loaded with a writable data segment', explanation: 'loading SS with a code segment' },
    rule: { id: 'GATE.CS.NOT_PRESENT', section: '6.12.1', text: 'the handler\'s code segment is present', explanation: 'selector 0x0008 is not present' },
    raised: { vector: 11, name: '#NP segment not present', errorCode: 9 },
    then: { id: 'DF.CONTRIBUTORY', section: 'Table 6-5', explanation: 'both are contributory' },
    subjects: [
      { kind: 'memory', label: 'GDT entry 1 (selector 0x0008): the handler\'s code segment', linear: 0x7d70, physical: 0x7d70, length: 8, table: 'gdt', index: 1 },
      { kind: 'register', label: 'idtr.base', field: 'idtr.base' },
      { kind: 'memory', label: 'page-table entry 7', physical: 0x2000, length: 4 },
    ],
  }, {
    vector: 8, name: '#DF double fault', kind: 'exception', errorCode: 0, errorCodeText: 'always 0', cs: 0x18, eip: 0x7c91, subjects: [],
  }],
};

test('Fault panel: the chain, each link\'s rule and section, what it looked at with memory / Descriptor Tables links and find-the-write buttons', () => {
  const doc = renderFault(FAULT, true).text;
  assert.match(doc, /<span class="verdict fail" id="path">#DE → #DF → shutdown<\/span>/);
  assert.match(doc, /1\. #DE divide error \(vector 0\) at <code>0018:7C91<\/code>/);
  assert.match(doc, /GATE\.CS\.NOT_PRESENT<\/span> <span class="note">SDM 6\.12\.1: the handler&#39;s code segment is present/);
  assert.match(doc, /→ raised #NP segment not present error code <code>0x0009<\/code>/);
  assert.match(doc, /raised by <span class="fail mono">SEG\.LOAD\.SS\.TYPE<\/span> <span class="note">SDM Vol\. 2 MOV: SS is loaded with a writable data segment<\/span><\/p>\n<p class="explanation">loading SS with a code segment<\/p>/);
  assert.match(doc, /2\. #DF double fault \(vector 8\) error code <code>0x0000<\/code> <span class="note">\(always 0\)<\/span>/);
  const msgs = [...doc.matchAll(/data-msg="([^"]*)"/g)].map((m) => JSON.parse(m[1].replace(/&#34;/g, '"')));
  assert.deepEqual(msgs, [
    { type: 'openMemory', address: 0x7d70 }, { type: 'showDescriptorTables' }, { type: 'findFaultWrite', link: 0, subject: 0 },
    { type: 'findFaultWrite', link: 0, subject: 1 }, { type: 'findFaultWrite', link: 0, subject: 2 },
  ]);
  assert.match(doc, /4 bytes at physical 0x00002000/);
  // Without a recording there is nothing to travel through; after time travel the chain says where it was seen.
  const plain = renderFault({ ...FAULT, current: false }, false).text;
  assert.doesNotMatch(plain, /findFaultWrite/);
  assert.match(plain, /does not record/);
  assert.match(plain, /Seen at instruction 874; the CPU has moved since\. <a data-msg="[^"]*travel[^"]*874/);
  assert.match(renderFault({ current: true, tripleFault: false, links: [], message: 'no fault chain: no exception yet' }, true).text, /no fault chain: no exception yet/);
});

test('every field of every panel, numeric ones included, set to <script> or a quote-breaking string stays text; no style attributes', () => {
  const screen: ScreenResponse = { columns: 4, rows: 2, text: ['ab', 'cd'], attributes: [0x1f, 0x1f, 0x07, 0x07, 0x1f, 0x1f, 0x07, 0x07], cursor: { row: 1, column: 0, visible: true } };
  const seg = { selector: 8, base: 0, limit: 0xffffffff, access: 0xc09b };
  const dt: DescriptorTablesResponse = {
    mode: 'pm32', segments: { cs: seg, ds: seg, es: seg, ss: seg, fs: seg, gs: seg, ldtr: seg, tr: seg },
    tables: [{ name: 'gdt', base: 0x7e00, limit: 0x1f, note: 'n', entries: [{ index: 1, selector: 8, linear: 0x7e08, raw: [1, 2], type: 't', base: 0, limit: 0xfffff, dpl: 0, present: true, db: true, g: true, explain: 'e', cachedBy: ['CS'], changed: true }] },
      { name: 'idt', base: 0, limit: 0x7ff, entries: [{ index: 13, selector: 13, linear: 0x68, raw: [0, 0], type: 'gate', dpl: 0, present: true, gate: { selector: 8, offset: 0x1234 }, explain: 'x' }] }],
    tss: { selector: 0x18, base: 0x1000, limit: 0x67, width: 32, stacks: [{ ring: 0, ss: 0x10, esp: 0x9000 }], ioMapBase: 0x68, fields: [{ name: 'eip', value: 1 }] },
  };
  const tl: TimelineResponse = { first: 0, last: 1000, recordedFirst: 0, recordedLast: 2000, current: 500, modes: [{ from: 0, to: 400, value: 'real' }], verdicts: [{ from: 0, to: 1000, value: 'fail' }],
    events: [{ at: 10, kind: 'bios', label: 'int 13h', count: 2 }], building: { done: 1, total: 2 } };
  const dump: VmcheckJson = {
    source: 'xen', format: 'f', dump: { index: 1, count: 2, firstLine: 1, lastLine: 9 }, profile: 'raw', verdict: 'fail', hints: ['h'], warnings: ['w'],
    checks: [{ id: 'A', section: '26.3.1.2', field: 'F', status: 'fail', message: 'm' }], rootCauses: [{ id: 'x', summary: 's', checks: ['A'] }],
    guest: { cs: seg, gdtr: { base: 1, limit: 2 }, cr0: 0x11 },
  };
  const rows = rowsFromDump(dump.guest).map((r) => ({ ...r, changed: true }));
  const fault = FAULT;
  for (const evil of [EVIL, '" onmouseover="alert(3)', "' onfocus='alert(4)"]) {
    const docs = [
      wrap('Screen', renderScreen(poison(screen, evil), false)),
      wrap('Descriptor Tables', renderDescriptorTables(poison(dt, evil))),
      wrap('Timeline', renderTimeline(poison(tl, evil), 'raw')),
      wrap('VM Entry Checks', renderChecks(fromDump(poison(dump, evil), evil), { dumpActions: true })),
      wrap('VMCS', renderVmcs({ profile: 'raw', source: evil, rows: poison(rows, evil), compare: { label: evil, values: new Map([[evil, 1]]) }, showPicker: true })),
      wrap('Why Did It Fault?', renderFault(poison(fault, evil), true)),
      wrap('Why Did It Fault?', renderFault(poison({ ...fault, current: false }, evil), false)),
    ];
    for (const doc of docs) {
      const scripts = [...doc.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
      assert.deepEqual(scripts, [`<script nonce="${NONCE}">`]);
      assert.ok(!/<img\b/i.test(doc), 'an <img> tag came through');
      assert.ok(!/<[^>]*\son\w+\s*=/i.test(doc.replace(/"[^"]*"/g, '""')), 'an event-handler attribute came through');
      assert.doesNotMatch(doc, /\sstyle\s*=/i, 'a style attribute (the CSP has no unsafe-inline)');
    }
  }
});

test('screen colours and timeline positions without style attributes: palette classes and data-left/data-width', () => {
  const s = renderScreen({ columns: 2, rows: 1, text: ['ab'], attributes: [0x1e, 0x4f], cursor: { row: 0, column: 0, visible: false } }, false).text;
  assert.match(s, /<span class="fg14 bg1">a<\/span><span class="fg15 bg4">b<\/span>/);
  const t = renderTimeline({ first: 0, last: 1000, recordedFirst: 0, recordedLast: 1000, current: 500, modes: [{ from: 0, to: 250, value: 'pm32' }], verdicts: [], events: [] }, 'raw').text;
  assert.match(t, /<span class="c-pm32" data-left="0\.000" data-width="25\.000" title="pm32: instructions 0–250">pm32<\/span>/);
  assert.match(t, /<div class="marker" data-left="50\.000"><\/div>/);
  const doc = wrap('Timeline', renderTimeline({ first: 0, last: 1, recordedFirst: 0, recordedLast: 1, current: 0, modes: [], verdicts: [], events: [] }, 'raw'));
  assert.match(doc, /\.fg14\{color:#FFFF55\}/);
  assert.match(doc, /el\.style\.left = Number\(el\.getAttribute\('data-left'\)\) \+ '%'/);
});

test('Screen in a VBE graphics mode: one <img> of the PNG, every value escaped, typing target kept', () => {
  const s = wrap('Screen', renderScreen({ columns: 80, rows: 1, text: [''], attributes: [], cursor: { row: 0, column: 0, visible: false }, graphics: { width: 640, height: 480, bpp: 32, png: 'iVBORw0KGgo=' } }, true));
  assert.equal([...s.matchAll(/<img\b/g)].length, 1);
  assert.match(s, /<img class="screen graphics" id="screen" tabindex="0" width="640" height="480" alt="guest graphics screen" src="data:image\/png;base64,iVBORw0KGgo=">/);
  assert.match(s, /640x480, 32 bits a pixel \(VBE\)/);
  const evil = wrap('Screen', renderScreen(poison({ columns: 80, rows: 1, text: [''], attributes: [], cursor: { row: 0, column: 0, visible: false }, graphics: { width: 1, height: 1, bpp: 8, png: 'x' } }, EVIL), false));
  assert.ok(!/<script>|onerror="/.test(evil), 'a value came through unescaped');
  assert.equal([...evil.matchAll(/<img\b/g)].length, 1);
});
