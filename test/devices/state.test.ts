// Device snapshots (devices/state.ts): a saved state is a copy that later writes do not reach, and
// loading it puts back every data field, typed arrays (views of a larger buffer too) and nested
// device objects in place, while wiring and callbacks stay the device's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadState, saveState } from '../../emulator/devices/state';

class Channel {
  count = 0;
  latch = new Uint16Array(2);
}

class Device {
  mode = 3;
  name = 'a';
  ram = new Uint8Array(16);
  /** A view into a larger buffer, as a device's sector buffer can be. */
  window = new Uint8Array(64).subarray(8, 24);
  channels = [new Channel(), new Channel()];
  queue: number[] = [1, 2];
  table = new Map<number, number[]>([[1, [5]]]);
  clock = { now: 7 };
  onChange: (() => void) | null = () => {};
  report = (): number => this.mode;
}

test('saveState copies the data fields; loadState puts them back in place and keeps the wiring', () => {
  const d = new Device();
  d.ram[3] = 0x33;
  d.window[15] = 0x5f;
  d.channels[1].latch[1] = 0x1234;
  const ram = d.ram, window = d.window, channel = d.channels[1], queue = d.queue, clock = d.clock, onChange = d.onChange;
  const snap = saveState(d);
  assert.deepEqual(Object.keys(snap).sort(), ['channels', 'mode', 'name', 'queue', 'ram', 'table', 'window']);
  assert.equal((snap.window as Uint8Array).length, 16, 'a view is saved as its own bytes');

  d.mode = 9;
  d.name = 'b';
  d.ram[3] = 0;
  d.window[15] = 0;
  d.channels[1].latch[1] = 0;
  d.channels[1].count = 4;
  d.queue.push(3);
  d.table.get(1)!.push(6);
  d.clock.now = 8;
  assert.equal((snap.ram as Uint8Array)[3], 0x33, 'later writes do not reach the snapshot');

  loadState(d, snap);
  assert.equal(d.mode, 3);
  assert.equal(d.name, 'a');
  assert.equal(d.ram, ram, 'typed arrays are restored in place');
  assert.equal(d.ram[3], 0x33);
  assert.equal(d.window, window);
  assert.equal(d.window[15], 0x5f);
  assert.equal(d.channels[1], channel, 'nested device objects are restored in place');
  assert.deepEqual([channel.count, channel.latch[1]], [0, 0x1234]);
  assert.equal(d.queue, queue);
  assert.deepEqual(d.queue, [1, 2]);
  assert.deepEqual([...d.table], [[1, [5]]]);
  assert.equal(d.clock, clock, 'wiring is not state');
  assert.equal(d.clock.now, 8);
  assert.equal(d.onChange, onChange);
  assert.equal(d.report(), 3);

  d.ram[3] = 1;
  loadState(d, snap);
  assert.equal(d.ram[3], 0x33, 'a snapshot can be loaded again');
});
