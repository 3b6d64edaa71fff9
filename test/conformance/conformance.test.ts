// Runs every hardware-captured SingleStepTests vector in ../shared/conformance (80286 real mode
// with --cpu 80286, 8086 with --cpu 8086) and requires all to pass except the reviewed list in
// exceptions.txt. Also checks that each excused vector still fails (a stale excuse is an error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VectorRunner, flagsMaskFor, loadMetadata, loadVectors } from '../../cli/singleStep';

const SHARED = resolve('..', 'shared', 'conformance');

function readExceptions(): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const line of readFileSync(join('test', 'conformance', 'exceptions.txt'), 'utf8').split('\n')) {
    const body = line.replace(/#.*/, '').trim();
    if (!body) continue;
    assert.ok(line.includes('#'), `exceptions.txt: every line must say why: ${line}`);
    const [file, ids] = body.split(/\s+/);
    out.set(file, new Set(ids.split(',').map(Number)));
  }
  return out;
}

for (const [dir, model] of [['80286', '80286'], ['8086', '8086']] as const) {
  test(`SingleStepTests ${dir} vectors pass on the ${model} model`, () => {
    const exceptions = readExceptions();
    const runner = new VectorRunner(model);
    const files = readdirSync(join(SHARED, dir)).filter((f) => f.endsWith('.json.gz')).sort();
    assert.ok(files.length > 250, `expected the ${dir} vector files in ${SHARED}`);
    const meta = loadMetadata(undefined, join(SHARED, dir, files[0]));
    let passed = 0;
    const failures: string[] = [];
    const stale: string[] = [];
    for (const f of files) {
      const excused = exceptions.get(`${dir}/${f}`) ?? new Set<number>();
      const mask = flagsMaskFor(meta, f);
      for (const v of loadVectors(join(SHARED, dir, f))) {
        const diff = runner.run(v, mask);
        const idx = v.idx ?? -1;
        if (diff === null) {
          passed++;
          if (excused.has(idx)) stale.push(`${dir}/${f} #${idx} passes but is listed in exceptions.txt`);
        } else if (!excused.has(idx) && failures.length < 30) failures.push(`${dir}/${f} #${idx} ${v.name}: ${diff}`);
        else if (!excused.has(idx)) failures.push('');
      }
    }
    assert.deepEqual(stale, []);
    assert.equal(failures.length, 0, `${failures.length} vectors failed:\n${failures.filter(Boolean).join('\n')}`);
    assert.ok(passed > 300000, `only ${passed} vectors ran`);
  });
}
