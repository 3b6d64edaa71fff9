// @tier full
// The panels on a guest attached in QEMU (debug-adapter/attach.ts): one boot sector (fixture
// qemupanels: text on the VGA screen, the cursor set through INT 10h, 32-bit protected mode with
// paging, the GDT read through its alias 4 MiB up, an LDT, a busy TSS, an IDT gate) runs in QEMU,
// attached, and in Bootscope, launched, to the same instruction; the Descriptor Tables, the VM Entry
// Checks, the VMCS and the Screen must answer the same for both (the same readers, fed from QEMU's
// gdbstub and monitor) but for two departures of QEMU's TCG the test names; the panels that need Bootscope's recording
// (Timeline, Why Did It Fault?, Compare) say why, in a sentence. In a graphics mode the Screen is
// QEMU's screendump. A missing QEMU fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { qemuMissing } from '../../host/qemu';
import type { CheckVmEntryResponse, DescriptorTable, DescriptorTablesResponse, ReadVmcsResponse, ScreenResponse, StatusResponse } from '../../protocol/customRequests';
import { assemble, DapClient, pc } from './dapClient';
import { attachTo } from './qemuAttach';

/** What the panels read at the stop at `spin`: tables, checks and VMCS under raw, the screen. */
async function panels(c: DapClient) {
  const tables = await c.request<DescriptorTablesResponse>('bootscope/readDescriptorTables', {});
  const checks = await c.request<CheckVmEntryResponse>('bootscope/checkVmEntry', { profile: 'raw' });
  const vmcs = await c.request<ReadVmcsResponse>('bootscope/readVmcs', { profile: 'raw' });
  const screen = await c.request<ScreenResponse>('bootscope/readScreen', {});
  return { tables, checks, vmcs, screen };
}

async function runTo(c: DapClient, linear: number): Promise<void> {
  await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${linear.toString(16)}` }] });
  const hit = c.nextStop(30_000);
  await c.request('continue', { threadId: 1 });
  assert.equal((await hit).body.reason, 'instruction breakpoint');
  assert.equal(await pc(c), linear);
}

test('attached to QEMU, the Descriptor Tables, VM Entry Checks, VMCS and Screen panels answer as for the same guest launched',
  { timeout: 120_000 }, async () => {
    assert.equal(qemuMissing(), null);
    const fx = assemble('qemupanels');
    const spin = fx.marker('SPIN');

    const launched = DapClient.spawn();
    let ours;
    try {
      await launched.launch({ image: fx.image });
      await runTo(launched, spin);
      ours = await panels(launched);
    } finally {
      await launched.close();
    }

    const { c, qemu } = await attachTo(fx.image, ['-vga', 'std']);
    try {
      // At the reset vector: real mode, the IVT in force (one table, read untracked), CS's base FFFF0000.
      const status = await c.request<StatusResponse>('bootscope/status', {});
      assert.deepEqual([status.mode, status.cs, status.instructions], ['real', 0xf000, undefined]);
      const ivt = await c.request<DescriptorTable>('bootscope/readDescriptorTable', { table: 'idt' });
      assert.deepEqual([ivt.name, ivt.base, ivt.entries.length], ['ivt', 0, 256]);
      await runTo(c, spin);
      const theirs = await panels(c);

      assert.equal(theirs.tables.mode, 'pm32');
      assert.deepEqual(theirs.tables.tables.map((t) => [t.name, t.limit]), [['gdt', 0x27], ['ldt', 7], ['idt', 7]]);
      assert.ok(theirs.tables.tables[0].base >= 0x400000, 'the GDT at its alias above 4 MiB');
      assert.deepEqual(theirs.tables.tables[0].entries.find((e) => e.index === 1)?.cachedBy, ['CS']);
      assert.equal(theirs.tables.segments.fs?.base, 0xb8000);
      assert.equal(theirs.tables.tss?.stacks[0].esp, 0x8000);
      // The same readers on the same state: every table, entry and segment cache as Bootscope has them, but
      // for two departures of QEMU's TCG from the CPU: the far JMP into the code segment leaves its
      // descriptor's accessed bit clear (cache and GDT; SDM Vol. 3 §3.4.5.1 has the CPU set it), and
      // TR's cache keeps the type LTR read, available, where the CPU's holds busy (§7.2.4).
      const code = theirs.tables.tables[0].entries[1];
      const { cs, tr } = theirs.tables.segments as Required<DescriptorTablesResponse['segments']>;
      assert.deepEqual([cs.access, code.access, tr.access], [0xc09a, 0xc09a, 0x89]);
      cs.access |= 1;
      tr.access |= 2;
      Object.assign(code, { access: 0xc09b, raw: [code.raw[0], code.raw[1] | 0x100], type: 'code, execute/read, accessed', explain: code.explain.replace('execute/read', 'execute/read, accessed') });
      assert.deepEqual(theirs.tables, ours.tables);

      assert.deepEqual([theirs.checks.verdict, theirs.checks.checks.filter((x) => x.status === 'fail').map((x) => x.id)],
        [ours.checks.verdict, ours.checks.checks.filter((x) => x.status === 'fail').map((x) => x.id)]);
      assert.deepEqual(theirs.vmcs.rows, ours.vmcs.rows);

      assert.equal(theirs.screen.text[0].trimEnd(), 'Bootscope attached');
      assert.deepEqual(theirs.screen.attributes.slice(0, 18), new Array(18).fill(0x1f));
      assert.deepEqual(theirs.screen, ours.screen);

      for (const [command, why] of [['bootscope/readTimeline', /^attached to QEMU: the Timeline is drawn from Bootscope's recording/],
        ['bootscope/readFault', /^attached to QEMU: Why Did It Fault\? follows Bootscope's own delivery of a fault/],
        ['bootscope/readCompare', /^attached to QEMU: the guest runs in QEMU alone/]] as const) {
        const r = await c.raw(command, { profile: 'raw' });
        assert.equal(r.success, false, command);
        assert.match(r.message ?? '', why);
      }
    } finally {
      await c.close();
      qemu.kill('SIGKILL');
    }
  });

test('attached to QEMU in a graphics mode, the Screen is QEMU\'s screendump', { timeout: 60_000 }, async () => {
  assert.equal(qemuMissing(), null);
  const fx = assemble('qemugfx');
  const { c, qemu } = await attachTo(fx.image, ['-vga', 'std']);
  try {
    await runTo(c, fx.marker('SPIN'));
    const s = await c.request<ScreenResponse>('bootscope/readScreen', {});
    // QEMU draws mode 13h doubled, 640x400.
    assert.deepEqual([s.graphics?.width, s.graphics?.height, s.graphics?.bpp, s.text], [640, 400, undefined, []]);
    const png = Buffer.from(s.graphics!.png, 'base64');
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    // The first row is red, the last black: the scanlines inflated (a filter byte, then RGB; the first
    // pixel of the first row and any pixel among black rows read the same whatever the filter).
    const idat = Buffer.concat(chunks(png).filter((x) => x.type === 'IDAT').map((x) => x.data));
    const raw = inflateSync(idat);
    const stride = 1 + 640 * 3;
    assert.equal(raw.length, 400 * stride);
    // Colour 4 of the default palette, the DAC's 6-bit 2Ah, widened by QEMU as 2Ah << 2.
    assert.deepEqual([...raw.subarray(1, 4)], [0xa8, 0, 0]);
    assert.deepEqual([...raw.subarray(399 * stride + 1, 399 * stride + 4)], [0, 0, 0]);
  } finally {
    await c.close();
    qemu.kill('SIGKILL');
  }
});

function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length;) {
    const n = png.readUInt32BE(at);
    out.push({ type: png.subarray(at + 4, at + 8).toString('latin1'), data: png.subarray(at + 8, at + 8 + n) });
    at += 12 + n;
  }
  return out;
}
