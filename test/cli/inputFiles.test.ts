// Inputs that are not regular files, and images that cannot be opened as asked: the CLI and the
// debug adapter open them through the same host/imageFile.ts, so both refuse a FIFO at once (an
// open or read of one blocks until a writer comes) and say what failed when writeBack cannot write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-inputs-'));
chmodSync(dir, 0o755);

/** Runs `launch(config)` of the debug adapter in a child (a hang cannot stall the test) and returns its error. */
function launchError(config: Record<string, unknown>, prefix: string[] = []): string {
  const script = `const { launch } = require('./debug-adapter/launch.ts');
try { launch(${JSON.stringify(config)}); console.log('launched'); } catch (e) { console.log(e.message); }`;
  const [cmd, ...args] = [...prefix, process.execPath, '--require', 'tsx/cjs', '-e', script];
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, `launch ${JSON.stringify(config)} did not end within 20 s`);
  return r.stdout.trim();
}

test('a FIFO as image is refused at once by `bootscope run` and by a DAP launch, even with a writer waiting', async () => {
  const fifo = join(dir, 'image.fifo');
  execFileSync('mkfifo', [fifo]);
  // A writer with data blocks until a reader opens the FIFO: the old code read it, called it empty.
  const writer = spawn('sh', ['-c', `printf 'boot sector bytes' > '${fifo}'`], { stdio: 'ignore' });
  try {
    const r = spawnSync('node', ['dist/cli.js', 'run', fifo], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.signal, null, 'bootscope run on a FIFO did not end within 20 s');
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `bootscope run: cannot read image '${fifo}': it is a FIFO (named pipe), not a regular file (copy it to a file first)\n`);
    assert.match(launchError({ image: fifo }), /^cannot read image '.*image\.fifo': it is a FIFO \(named pipe\), not a regular file/);
    assert.match(launchError({ image: fifo, writeBack: true }), /it is a FIFO \(named pipe\)/);
  } finally {
    writer.kill();
  }
  const lone = join(dir, 'lone.fifo');
  execFileSync('mkfifo', [lone]);
  assert.match(launchError({ image: lone }), /it is a FIFO/);
  const img = join(dir, 'ok.img');
  writeFileSync(img, Buffer.alloc(512));
  assert.match(launchError({ image: img, listing: lone }), /^cannot read listing '.*lone\.fifo': it is a FIFO/);
});

test('writeBack on a read-only image says it cannot be opened for writing', () => {
  const img = join(dir, 'readonly.img');
  writeFileSync(img, Buffer.alloc(512));
  chmodSync(img, 0o444);
  // root writes through file modes: drop to nobody for the launch, as a user's read-only image is.
  const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  assert.equal(launchError({ image: img, writeBack: true }, asUser), `cannot open image '${img}' for writing: permission denied`);
  assert.equal(launchError({ image: img }, asUser), 'launched');
});
