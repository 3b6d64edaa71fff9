// Runs the hardware-captured SingleStepTests vectors (80286 real mode with --cpu 80286, 8086 with
// --cpu 8086) and requires all to pass except the reviewed list in exceptions.txt; each excused vector
// must be among them and still fail (a stale excuse is an error). The vectors: the subset vendored in
// vectors/ (README there), or the full set in BOOTSCOPE_VECTORS=<dir> (.ci/run sets it when it can).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VectorRunner, flagsMaskFor, loadMetadata, loadVectors } from '../../cli/singleStep';

const VECTORS = resolve(process.env.BOOTSCOPE_VECTORS || join('test', 'conformance', 'vectors'));

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
  test(`SingleStepTests ${dir} vectors pass on the ${model} model`, (t) => {
    const exceptions = readExceptions();
    const runner = new VectorRunner(model);
    assert.ok(existsSync(join(VECTORS, dir)), `no ${dir} vectors in ${VECTORS} (BOOTSCOPE_VECTORS names a folder with 80286/ and 8086/)`);
    const files = readdirSync(join(VECTORS, dir)).filter((f) => f.endsWith('.json.gz')).sort();
    assert.ok(files.length > 250, `expected the ${dir} vector files in ${VECTORS}`);
    const meta = loadMetadata(undefined, join(VECTORS, dir, files[0]));
    let passed = 0;
    let ran = 0;
    const failures: string[] = [];
    const stale: string[] = [];
    const seen = new Set<string>();
    for (const f of files) {
      const excused = exceptions.get(`${dir}/${f}`) ?? new Set<number>();
      const mask = flagsMaskFor(meta, f);
      const vectors = loadVectors(join(VECTORS, dir, f));
      assert.ok(vectors.length > 0, `${dir}/${f} holds no vectors`);
      for (const v of vectors) {
        const diff = runner.run(v, mask);
        const idx = v.idx ?? -1;
        ran++;
        if (excused.has(idx)) seen.add(`${dir}/${f} #${idx}`);
        if (diff === null) {
          passed++;
          if (excused.has(idx)) stale.push(`${dir}/${f} #${idx} passes but is listed in exceptions.txt`);
        } else if (!excused.has(idx) && failures.length < 30) failures.push(`${dir}/${f} #${idx} ${v.name}: ${diff}`);
        else if (!excused.has(idx)) failures.push('');
      }
    }
    const unseen = [...exceptions].filter(([file]) => file.startsWith(`${dir}/`))
      .flatMap(([file, ids]) => [...ids].map((i) => `${file} #${i}`)).filter((k) => !seen.has(k));
    t.diagnostic(`${ran} vectors from ${files.length} files in ${VECTORS}`);
    assert.deepEqual(stale, []);
    assert.deepEqual(unseen, [], 'vectors excused in exceptions.txt but not among the vectors run');
    assert.equal(failures.length, 0, `${failures.length} vectors failed:\n${failures.filter(Boolean).join('\n')}`);
    assert.ok(ran >= files.length * 100, `only ${ran} vectors ran from ${files.length} files`);
  });
}
