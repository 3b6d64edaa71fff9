// The segment-load memo (emulator/cpu/protected/loadMemo.ts) must never hide a change: a reload of
// the same selector after its descriptor was rewritten (by the guest, compiled or not, or by the
// debugger), after LGDT, or at another CPL takes the full load with its checks and faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlockCache } from '../../emulator/cpu/jit/blocks';
import { runCpu } from '../../emulator/cpu/execute';
import { CR0_PG, ES } from '../../emulator/cpu/regs';
import { FAULT, GP } from '../../emulator/cpu/faults';
import { loadSeg, reloadUnchanged } from '../../emulator/cpu/segmentation';
import { setCpl } from '../../emulator/cpu/protected/common';
import { setup } from '../pm/fuzzSetup';

// The fuzz machine's GDT is at 0x1000 with a flat data descriptor at selector 0x10.
const DATA = 0x1010;

function machine() {
  const cpu = setup('pm32', 1, '80386');
  loadSeg(cpu, ES, 0x10);
  return cpu;
}

test('loadMemo: a rewritten descriptor is loaded again (bus store, debugger poke)', () => {
  const cpu = machine();
  loadSeg(cpu, ES, 0x10);
  assert.equal(cpu.base[ES], 0);
  cpu.mem.write8(DATA + 2, 0x34); // base 15:0 = 0x0034
  loadSeg(cpu, ES, 0x10);
  assert.equal(cpu.base[ES], 0x34);
  cpu.mem.poke(DATA + 4, new Uint8Array([0x12])); // base 23:16
  loadSeg(cpu, ES, 0x10);
  assert.equal(cpu.base[ES], 0x120034);
});

test('loadMemo: a descriptor made not-present faults on the reload', () => {
  const cpu = machine();
  cpu.mem.write8(DATA + 5, cpu.mem.read8(DATA + 5) & 0x7f);
  assert.throws(() => loadSeg(cpu, ES, 0x10), (e) => e === FAULT && FAULT.vector === 11 && FAULT.errorCode === 0x10);
});

test('loadMemo: LGDT to another table is seen', () => {
  const cpu = machine();
  // A copy of the GDT at 0x5000 with selector 0x10's base changed.
  cpu.mem.poke(0x5000, cpu.mem.peek(0x1000, 0x40));
  cpu.mem.write8(0x5012, 0x78);
  // lgdt [0x6000] with the pseudo-descriptor limit 3Fh, base 5000h there.
  cpu.mem.poke(0x6000, new Uint8Array([0x3f, 0, 0, 0x50, 0, 0]));
  cpu.mem.poke(0x8000, new Uint8Array([0x0f, 0x01, 0x15, 0, 0x60, 0, 0]));
  cpu.eip = 0x8000;
  runCpu(cpu, 1);
  assert.equal(cpu.gdtrBase, 0x5000);
  loadSeg(cpu, ES, 0x10);
  assert.equal(cpu.base[ES], 0x78);
});

test('loadMemo: the privilege checks run again at another CPL', () => {
  const cpu = machine();
  // Selector 0x10 is DPL 0: the same load that just succeeded at CPL 0 is #GP(0x10) at CPL 3.
  setCpl(cpu, 3);
  assert.throws(() => loadSeg(cpu, ES, 0x10), (e) => e === FAULT && FAULT.vector === GP && FAULT.errorCode === 0x10);
});

test('loadMemo: a store from a compiled block into the descriptor is seen by the next load', () => {
  const cpu = machine();
  (cpu.jit as BlockCache).hot = 1;
  // 0x8000: mov byte [DATA+2], cl / mov es, ax / inc cl / jmp 0x8000   (AX = 0x10)
  const code = [0x88, 0x0d, (DATA + 2) & 0xff, (DATA + 2) >> 8, 0, 0, 0x8e, 0xc0, 0xfe, 0xc1, 0xeb, 0xf4];
  cpu.mem.poke(0x8000, new Uint8Array(code));
  cpu.eip = 0x8000;
  cpu.r32[0] = 0x10;
  cpu.r32[1] = 1;
  for (let round = 1; round < 50; round++) {
    runCpu(cpu, 4);
    assert.equal(cpu.base[ES], round, `round ${round}`);
  }
  assert.ok((cpu.jit as BlockCache).compiled > 0);
});

/** machine() with paging on: identity-mapped first MiB (tables at 40000h/41000h), the load made under it. */
function pagedMachine() {
  const cpu = setup('pm32', 1, '80386');
  const m = cpu.mem;
  m.write32(0x40000, 0x41003);
  for (let i = 0; i < 256; i++) m.write32(0x41000 + i * 4, (i << 12) | 3);
  cpu.cr3 = 0x40000;
  cpu.cr0 |= CR0_PG;
  cpu.updateMode();
  cpu.tlbFlush(cpu);
  loadSeg(cpu, ES, 0x10);
  return cpu;
}

test('loadMemo under paging: a reload is skipped while the TLB maps the GDT page where it did', () => {
  const cpu = pagedMachine();
  // Reading the descriptor would walk or hit the TLB; the memo answers without reading it.
  assert.ok(reloadUnchanged(cpu, ES, 0x10));
  cpu.mem.write8(DATA + 2, 0x34); // a store into the marked bytes
  assert.ok(!reloadUnchanged(cpu, ES, 0x10));
  loadSeg(cpu, ES, 0x10);
  assert.equal(cpu.base[ES], 0x34);
  assert.ok(reloadUnchanged(cpu, ES, 0x10));
});

test('loadMemo under paging: the GDT page mapped to another frame (PTE + INVLPG) is loaded from there', () => {
  const cpu = pagedMachine();
  // Frame 60000h holds a copy of the GDT page with selector 0x10's base changed.
  cpu.mem.poke(0x60000, cpu.mem.peek(0x1000, 0x1000));
  cpu.mem.write8(0x60012, 0x56);
  cpu.mem.write32(0x41000 + 1 * 4, 0x60003);
  // Without INVLPG the TLB still maps the old frame: the reload is still what it was.
  loadSeg(cpu, ES, 0x10);
  assert.equal(cpu.base[ES], 0);
  cpu.tlbInvalidate(cpu, 0x1000);
  assert.ok(!reloadUnchanged(cpu, ES, 0x10));
  loadSeg(cpu, ES, 0x10);
  assert.equal(cpu.base[ES], 0x56);
});

test('loadMemo: a record made under paging does not stand once paging is off, nor one made without it under paging', () => {
  const cpu = pagedMachine();
  cpu.cr0 &= ~CR0_PG;
  cpu.updateMode();
  assert.ok(!reloadUnchanged(cpu, ES, 0x10));
  loadSeg(cpu, ES, 0x10);
  assert.ok(reloadUnchanged(cpu, ES, 0x10));
  cpu.cr0 |= CR0_PG;
  cpu.updateMode();
  assert.ok(!reloadUnchanged(cpu, ES, 0x10));
});

test('loadMemo under paging: a walk that replaces the GDT page frame (a PTE rewritten without INVLPG) is seen', () => {
  const cpu = pagedMachine();
  // The GDT page's PTE without the dirty bit, its TLB entry filled by the load's read: it grants no write.
  cpu.mem.write32(0x41000 + 1 * 4, 0x1003);
  cpu.tlbInvalidate(cpu, 0x1000);
  loadSeg(cpu, ES, 0x10);
  assert.ok(reloadUnchanged(cpu, ES, 0x10));
  // Frame 60000h holds a copy with selector 0x10's base changed; the PTE points there, no INVLPG.
  cpu.mem.poke(0x60000, cpu.mem.peek(0x1000, 0x1000));
  cpu.mem.write8(0x60012, 0x56);
  cpu.mem.write32(0x41000 + 1 * 4, 0x60003);
  // A store to the page walks the tables (the entry grants no write) and replaces the frame.
  cpu.writeLin8(0x1800, 1);
  assert.equal(cpu.mem.read8(0x60800), 1);
  assert.ok(!reloadUnchanged(cpu, ES, 0x10));
  loadSeg(cpu, ES, 0x10);
  assert.equal(cpu.base[ES], 0x56);
});
