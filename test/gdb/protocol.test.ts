// The gdb server at the packet level (no gdb): the handshake, registers, memory, target.xml, monitor,
// no-ack mode, Ctrl-C, and malformed input — bad checksums, unknown, truncated, oversized packets and
// bad arguments — that must each get an answer (or a `-`) and never stop the server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGdbServer, type GdbServer } from '../../debug-adapter/gdb/server';
import { frame, fromHex, hexToText, textToHex } from '../../debug-adapter/gdb/packet';
import { G_HEX_LENGTH } from '../../debug-adapter/gdb/registers';
import { launch } from '../../debug-adapter/launch';
import { assembleElf, RawClient } from './gdbFixture';

describe('gdb server protocol', () => {
  let server: GdbServer;
  let c: RawClient;
  const fx = assembleElf('calls');
  before(async () => {
    server = await startGdbServer(launch({ image: fx.image }), { port: 0, log: () => {}, guestOutput: () => {} });
    c = await RawClient.open(server.port);
  });
  after(() => {
    c.close();
    server.close();
  });

  test('qSupported announces what the server does', async () => {
    c.send(frame('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386'));
    assert.equal(await c.ack(), '+');
    const features = (await c.packet()).split(';');
    for (const f of ['PacketSize=4000', 'qXfer:features:read+', 'QStartNoAckMode+', 'swbreak+', 'hwbreak+', 'ReverseStep+', 'ReverseContinue+']) {
      assert.ok(features.includes(f), f);
    }
  });

  test('target.xml read in chunks is the i386 core feature, i8086 at 0000:7C00', async () => {
    let xml = '';
    for (;;) {
      const r = await c.ask(`qXfer:features:read:target.xml:${xml.length.toString(16)},80`);
      xml += r.slice(1);
      if (r[0] === 'l') break;
      assert.equal(r[0], 'm');
    }
    assert.match(xml, /<architecture>i8086<\/architecture>/);
    assert.match(xml, /<feature name="org.gnu.gdb.i386.core">/);
    for (const r of ['eax', 'eip', 'eflags', 'cs', 'gs', 'st0', 'st7', 'fop']) assert.match(xml, new RegExp(`<reg name="${r}"`));
    assert.equal(await c.ask('qXfer:features:read:other.xml:0,100'), 'E00');
  });

  test('registers and memory at the entry stop', async () => {
    assert.equal(await c.ask('?'), 'T05');
    const g = await c.ask('g');
    assert.equal(g.length, G_HEX_LENGTH);
    assert.equal(g.slice(64, 72), '007c0000', 'eip (linear) 7C00');
    assert.equal(await c.ask('p8'), '007c0000');
    assert.equal(await c.ask('pa'), '00000000', 'cs 0000');
    assert.equal(await c.ask('m7c00,2'), '31c0', 'xor ax, ax');
  });

  test('M and X writes (escaped binary) read back; P writes a register', async () => {
    assert.equal(await c.ask('M7e00,2:abcd'), 'OK');
    assert.equal(await c.ask('m7e00,2'), 'abcd');
    // 0x7d ('}'), 0x23 ('#'), 0x24 ('$') and 0x2a ('*') must travel escaped.
    c.sendRaw('X7e00,4:}]}\x03}\x04}\x0a');
    assert.equal(await c.packet(), 'OK');
    assert.equal(await c.ask('m7e00,4'), '7d23242a');
    assert.equal(await c.ask('P0=78563412'), 'OK');
    assert.equal(await c.ask('p0'), '78563412');
  });

  test('eip is CS.base + EIP with pc linear on (default), EIP with off; writes follow the same view', async () => {
    const eip = await c.ask('p8');
    assert.equal(await c.ask('Pa=10000000'), 'OK', 'CS = 0010h: real mode reloads the base as 100h');
    assert.equal(await c.ask('pa'), '10000000');
    assert.equal(await c.ask('p8'), '007d0000', 'linear 7D00 = 100h + 7C00');
    assert.match(hexToText(await c.ask(`qRcmd,${textToHex('pc linear off')}`)) ?? '', /pc linear off/);
    assert.equal(await c.ask('p8'), '007c0000', 'EIP itself');
    assert.match(hexToText(await c.ask(`qRcmd,${textToHex('pc linear on')}`)) ?? '', /pc linear on/);
    assert.equal(await c.ask('P8=007d0000'), 'OK', 'writing linear 7D00 keeps EIP 7C00');
    assert.equal(await c.ask('Pa=00000000'), 'OK');
    assert.equal(await c.ask('p8'), eip);
  });

  test('monitor commands answer with the console text', async () => {
    const mode = hexToText(await c.ask(`qRcmd,${textToHex('mode')}`));
    assert.match(mode ?? '', /^real at 0000:7C00 \(linear 0x00007c00\)/);
    const err = hexToText(await c.ask(`qRcmd,${textToHex('nosuchname + 1')}`));
    assert.match(err ?? '', /^error: /);
    const brk = hexToText(await c.ask(`qRcmd,${textToHex('break 0000:7C0E')}`));
    assert.match(brk ?? '', /CS:IP exact/);
    const phys = hexToText(await c.ask(`qRcmd,${textToHex('break phys 0x7c0e')}`));
    assert.match(phys ?? '', /^breakpoint 2 at phys 0x7c0e \(physical\)/);
    assert.equal(await c.ask(`qRcmd,${textToHex('delete all')}`), textToHex('0 monitor breakpoints left\n'));
  });

  test('malformed packets get an error, an empty reply or a `-`, and the server keeps answering', async () => {
    c.send('$g#00');
    assert.equal(await c.ack(), '-', 'bad checksum');
    c.send('$g#zz');
    assert.equal(await c.ack(), '-', 'non-hex checksum');
    c.send('$' + 'A'.repeat(1_000_000) + '#00');
    assert.equal(await c.ack(), '-', 'oversized');
    c.send('\x00\xff garbage \r\n');
    c.send('$m7c0');
    assert.equal(await c.ask('?'), 'T05', 'a truncated packet followed by a good one');
    for (const [p, want] of [
      ['qBogus', ''], ['vBogus', ''], ['!', ''], ['Z9,7c00,1', 'E01'], ['Z0,zz,1', 'E01'], ['Z2,7e00,0', 'E01'],
      ['m', 'E01'], ['mzz,1', 'E01'], ['m1ffffffff,1', 'E01'], ['M7c00,2:zz', 'E01'], ['M7c00,4:abcd', 'E01'], ['M7c00,2', 'E01'],
      ['X7e00,4:ab', 'E01'], ['P99=00', 'E01'], ['P0=zz', 'E01'], ['Pfoo', 'E01'], ['p99', 'E01'], ['G00', 'E01'],
      ['qXfer:features:read:target.xml:zz', 'E01'], ['qRcmd,zzz', 'E01'], ['vCont;x', 'E01'], ['b', ''], ['bx', ''],
    ]) {
      assert.equal(await c.ask(p), want, p);
    }
    c.sendRaw('X7e00,1:}');
    assert.equal(await c.packet(), 'E01', 'X data ending in a lone escape');
    assert.equal((await c.ask('g')).length, G_HEX_LENGTH);
  });

  test('Ctrl-C interrupts a continue (SIGINT), then no-ack mode drops the acks', async () => {
    c.send(frame('vCont;c'));
    assert.equal(await c.ack(), '+');
    await new Promise((r) => setTimeout(r, 300));
    c.send('\x03');
    assert.equal(await c.packet(), 'T02');
    c.send('+');
    assert.equal(await c.ask('QStartNoAckMode'), 'OK');
    c.send('+');
    c.send(frame('p8'));
    const pc = await c.packet();
    assert.equal(fromHex(pc)?.length, 4);
    assert.equal(c.pending(), '', 'no ack after no-ack mode');
  });

  test('after a detach the machine waits for the next connection', async () => {
    assert.equal(await c.ask('D'), 'OK');
    c.close();
    c = await RawClient.open(server.port);
    c.send(frame('?'));
    assert.equal(await c.ack(), '+');
    assert.equal(await c.packet(), 'T02', 'still stopped where the interrupt left it');
  });
});

describe('gdb server stop replies', () => {
  let server: GdbServer;
  let c: RawClient;
  const fx = assembleElf('calls');
  const hex = (n: number) => n.toString(16);
  before(async () => {
    server = await startGdbServer(launch({ image: fx.image }), { port: 0, log: () => {}, guestOutput: () => {} });
    c = await RawClient.open(server.port);
    assert.equal(await c.ask('QStartNoAckMode'), 'OK');
  });
  after(() => {
    c.close();
    server.close();
  });
  const pcIs = async (linear: number) => assert.equal(await c.ask('p8'), `${hex(linear & 0xff).padStart(2, '0')}${hex(linear >>> 8).padStart(2, '0')}0000`);

  test('Z1 stops with hwbreak, Z0 with swbreak, before the instruction', async () => {
    assert.equal(await c.ask(`Z1,${hex(fx.marker('CALL'))},1`), 'OK');
    assert.equal(await c.ask('c'), 'T05hwbreak:;');
    await pcIs(fx.marker('CALL'));
    assert.equal(await c.ask(`z1,${hex(fx.marker('CALL'))},1`), 'OK');
    assert.equal(await c.ask(`Z0,${hex(fx.marker('BUMP'))},1`), 'OK');
    assert.equal(await c.ask('vCont;c'), 'T05swbreak:;');
    await pcIs(fx.marker('BUMP'));
    assert.equal(await c.ask(`z0,${hex(fx.marker('BUMP'))},1`), 'OK');
  });

  test('Z3 stops with rwatch and Z4 with awatch after the access; s steps one instruction', async () => {
    const counter = hex(fx.marker('COUNTER'));
    assert.equal(await c.ask(`Z3,${counter},2`), 'OK');
    assert.equal(await c.ask('c'), `T05rwatch:${counter};`);
    await pcIs(fx.marker('AFTERBUMP'));
    assert.equal(await c.ask(`z3,${counter},2`), 'OK');
    assert.equal(await c.ask(`Z4,${counter},2`), 'OK');
    assert.equal(await c.ask('c'), `T05awatch:${counter};`);
    await pcIs(fx.marker('AFTERBUMP'));
    assert.equal(await c.ask(`z4,${counter},2`), 'OK');
    assert.equal(await c.ask('vCont;s:1;c'), 'T05');
    await pcIs(fx.marker('AFTERBUMP') + 1);
  });

  test('bs steps back one instruction; bc with nothing armed and bs at the start say replaylog:begin', async () => {
    assert.equal(await c.ask('bs'), 'T05');
    await pcIs(fx.marker('AFTERBUMP'));
    assert.equal(await c.ask('bc'), 'T05replaylog:begin;');
    await pcIs(0x7c00);
    assert.equal(await c.ask('bs'), 'T05replaylog:begin;');
    assert.equal(await c.ask('?'), 'T05replaylog:begin;');
  });
});
