// The fault chain over DAP on a delivery-path fixture (test/cpu/fixtures/faultRules.asm -DIDT_GATE_NOT_PRESENT: the
// INT 30h gate's P bit cleared by a store, then INT 30h): an exception stop armed in the Breakpoints view names the
// rule that raised it; bootscope/readFault gives the gate and IDTR as what the rule looked at; "find the write that
// broke it" lands on the store that cleared P, and on the LIDT for IDTR.base. Bad link and entry numbers are clear
// errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DapClient, pc, repl } from './dapClient';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-dapfault-'));
const img = join(dir, 'gate.img');
const ssImg = join(dir, 'ss.img');
const pfImg = join(dir, 'pf.img');
let listing = '';
let pfListing = '';

/** test/cpu/fixtures/faultRules.asm -D<define> as a boot sector; returns its listing's text. */
function sector(define: string, out: string): string {
  const bin = `${out}.bin`, lst = `${out}.lst`;
  execFileSync('nasm', ['-f', 'bin', `-D${define}`, '-l', lst, '-o', bin, 'test/cpu/fixtures/faultRules.asm']);
  const s = new Uint8Array(512);
  s.set(readFileSync(bin));
  s[510] = 0x55;
  s[511] = 0xaa;
  writeFileSync(out, s);
  return readFileSync(lst, 'utf8');
}

/** The linear address of the first listing line whose source matches `re` (org 0x7C00). */
function addressOf(re: RegExp, text = listing): number {
  for (const l of text.split('\n')) {
    const m = /^\s*\d+\s+([0-9A-F]{8})\s+[0-9A-F[\]()]+-?\s+(.*)$/.exec(l);
    if (m && re.test(m[2])) return 0x7c00 + parseInt(m[1], 16);
  }
  throw new Error(`no listing line matches ${re}`);
}

describe('fault chain over DAP', () => {
  const clients: DapClient[] = [];
  before(() => {
    listing = sector('IDT_GATE_NOT_PRESENT', img);
    sector('SEG_LOAD_SS_TYPE', ssImg);
    pfListing = sector('PAGE_NOT_PRESENT', pfImg);
  });
  after(async () => {
    for (const c of clients) await c.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const launched = async (filters: string[], image = img) => {
    const c = DapClient.spawn();
    clients.push(c);
    const stop = c.nextStop(30000);
    await c.launch({ image, stopOnEntry: false }, async () => { await c.request('setExceptionBreakpoints', { filters }); });
    return { c, stop: await stop };
  };

  test('an ordinary instruction\'s fault: the #GP stop names the rule it broke; readFault and info fault explain it', async () => {
    const { c, stop } = await launched(['vector-13'], ssImg);
    assert.match(stop.body.description ?? '', /^#GP general protection at 0008:[0-9A-F]{4,8}: SEG\.LOAD\.SS\.TYPE$/);
    const f = await c.request('bootscope/readFault');
    assert.deepEqual([f.path, f.tripleFault, f.links.length], ['#GP', false, 1]);
    const [gp] = f.links;
    assert.deepEqual([gp.cause.id, gp.cause.section, gp.rule, gp.errorCode], ['SEG.LOAD.SS.TYPE', 'Vol. 2 MOV', undefined, 8]);
    assert.match(gp.cause.explanation, /^loading SS with selector 0x0008 .* names a code segment/);
    assert.deepEqual(gp.subjects.map((s: { label: string }) => s.label), ['GDT entry 1 (selector 0x0008): named by the new SS']);
    const info = await repl(c, 'info fault');
    assert.match(info, /^last exception #GP, raised by a rule and delivered\n1\. vector 13 \(#GP general protection\) error code 0x0008 at 0008:[0-9A-F]{4}: delivered\n {3}raised by SEG\.LOAD\.SS\.TYPE \(SDM Vol\. 2 MOV\): loading SS/);
  });

  test('an #NP stop armed in the Breakpoints view names the rule that raised it; readFault has the INT 30h link with the gate and IDTR', async () => {
    const { c, stop } = await launched(['vector-11']);
    assert.equal(stop.body.reason, 'exception');
    assert.match(stop.body.description ?? '', /^#NP segment not present at 0008:[0-9A-F]{4,8}, raised by IDT\.GATE\.NOT_PRESENT$/);
    const f = await c.request('bootscope/readFault');
    assert.equal(f.path, 'INT 0x30 → #NP');
    assert.equal(f.tripleFault, false);
    const [int30, np] = f.links;
    assert.deepEqual([int30.kind, int30.rule.id, int30.rule.section, int30.raised.errorCode], ['int', 'IDT.GATE.NOT_PRESENT', '6.11', 0x30 * 8 + 2]);
    assert.equal(int30.raised.name, '#NP segment not present');
    assert.deepEqual(int30.subjects.map((s: { label: string; linear?: number; field?: string }) => [s.label, s.linear ?? s.field]), [
      ['IDT entry 48 (the gate of vector 48 (INT 0x30))', 0x1000 + 0x30 * 8],
      ['idtr.base', 'idtr.base'],
    ]);
    assert.deepEqual([np.rule, np.subjects], [undefined, []]);
    assert.equal(np.errorCodeText, 'EXT=0 IDT=1: IDT vector 48');
  });

  test('a page fault names PAGE.NOT_PRESENT; find the write that broke it on its page-table entry lands on the store that cleared it', async () => {
    const { c, stop } = await launched(['vector-14'], pfImg);
    assert.match(stop.body.description ?? '', /^#PF page fault at 0008:[0-9A-F]{4,8}: PAGE\.NOT_PRESENT$/);
    const f = await c.request('bootscope/readFault');
    const [pf] = f.links;
    assert.equal(pf.errorCodeText, 'P=0 W/R=0 U/S=0 RSVD=0 I/D=0 (page not present on a read)');
    assert.deepEqual(pf.subjects.map((s: { label: string; physical: number }) => [s.label, s.physical]), [
      ['page-table entry 768 for linear 0x00300000', 0x11000 + 768 * 4], ['page-directory entry 0 for linear 0x00300000', 0x10000], ['cr3', undefined],
    ]);
    const back = c.nextStop(30000);
    const r = await c.request('bootscope/findFaultWrite', { link: 0, subject: 0 });
    await back;
    assert.equal(r.found, true, r.message);
    assert.equal(await pc(c), addressOf(/mov dword \[0x11000 \+ \(0x300000 >> 12\) \* 4\], 0$/, pfListing));
  });

  test('find the write that broke it: the gate → the store that cleared its P bit; IDTR.base → the LIDT', async () => {
    const { c } = await launched(['vector-11']);
    const find = async (link: number, subject: number) => {
      const stop = c.nextStop(30000);
      const r = await c.request('bootscope/findFaultWrite', { link, subject });
      await stop;
      return r;
    };
    const r = await find(0, 0);
    assert.equal(r.found, true, r.message);
    assert.equal(await pc(c), addressOf(/mov byte \[V30 \+ 5\], 0x6e/));
    const idtr = await find(0, 1);
    assert.match(idtr.message, /changed idtr\.base from 0x0 to 0x1000/);
    assert.equal(await pc(c), addressOf(/^lidt \[idtr\]/));
    const bad = await c.raw('bootscope/findFaultWrite', { link: 1, subject: 0 });
    assert.equal(bad.success, false);
    assert.match(bad.message ?? '', /link 2 names no table entry or register to search/);
    const shape = await c.raw('bootscope/findFaultWrite', { link: -1, subject: 0 });
    assert.equal(shape.success, false);
    assert.match(shape.message ?? '', /'link' must be an integer from 0 to 255/);
  });
});
