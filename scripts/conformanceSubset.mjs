// Makes the SingleStepTests subset vendored in test/conformance/vectors from a full set laid out as
// <dir>/80286/*.json.gz and <dir>/8086/*.json.gz (+ metadata.json): the first 200 vectors of each file
// plus every vector test/conformance/exceptions.txt lists, so its excuses are checked in the subset too.
// Usage: node scripts/conformanceSubset.mjs <full set dir>
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const FIRST = 200;
const src = process.argv[2];
if (!src) {
  console.error('usage: node scripts/conformanceSubset.mjs <full set dir>');
  process.exit(2);
}
const dst = join('test', 'conformance', 'vectors');
const excused = new Map();
for (const line of readFileSync(join('test', 'conformance', 'exceptions.txt'), 'utf8').split('\n')) {
  const body = line.replace(/#.*/, '').trim();
  if (body) excused.set(body.split(/\s+/)[0], new Set(body.split(/\s+/)[1].split(',').map(Number)));
}
for (const dir of ['80286', '8086']) {
  mkdirSync(join(dst, dir), { recursive: true });
  for (const f of readdirSync(join(src, dir)).sort()) {
    if (!f.endsWith('.json.gz')) {
      copyFileSync(join(src, dir, f), join(dst, dir, f));
      continue;
    }
    const keep = excused.get(`${dir}/${f}`) ?? new Set();
    const all = JSON.parse(gunzipSync(readFileSync(join(src, dir, f))).toString('utf8'));
    const subset = all.filter((v, i) => i < FIRST || keep.has(v.idx));
    writeFileSync(join(dst, dir, f), gzipSync(JSON.stringify(subset), { level: 9 }));
  }
}
