#!/usr/bin/env bash
# Runs test386.asm (github.com/barotto/test386.asm, a GPL 386 test ROM: bring your own checkout;
# nothing of it is kept here) under `bootscope run --bios` on the 80386 model, twice: as built by
# default and with TEST_UNDEF=1 / CPU_FAMILY=3 (the 386's undefined behaviours). Each build posts to
# port 80h and prints its POST EEh results to port E9h. Passing means POST FFh was reached and the
# EE output equals the checkout's test386-EE-reference.txt. Not part of `npm test` (CI cannot fetch
# test386). Usage: scripts/test386.sh DIR    (DIR: a checkout of test386.asm; it is not modified)
set -euo pipefail
if [ $# -ne 1 ] || [ ! -f "$1/src/test386.asm" ] || [ ! -f "$1/test386-EE-reference.txt" ]; then
  echo "usage: scripts/test386.sh DIR  (DIR: a checkout of github.com/barotto/test386.asm, with src/test386.asm)" >&2
  exit 2
fi
command -v nasm >/dev/null || { echo "test386.sh: nasm is not installed (apt-get install nasm)" >&2; exit 2; }
src=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null || echo "unknown commit")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node "$root/scripts/build.mjs" >/dev/null

status=0
echo "test386.asm $commit, Bootscope $(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo '?') (80386 model)"
for variant in "TEST_UNDEF=0" "TEST_UNDEF=1 CPU_FAMILY=3"; do
  dir="$work/${variant%% *}"
  mkdir -p "$dir"
  cp -r "$src/src" "$dir/src"
  undef=${variant#TEST_UNDEF=}; undef=${undef%% *}
  sed -i -e 's/^POST_PORT equ .*/POST_PORT equ 0x80/' -e 's/^OUT_PORT equ .*/OUT_PORT equ 0xE9/' \
    -e 's/^LPT_PORT equ .*/LPT_PORT equ 0/' -e 's/^COM_PORT equ .*/COM_PORT equ 0/' \
    -e "s/^TEST_UNDEF equ .*/TEST_UNDEF equ $undef/" -e 's/^CPU_FAMILY equ .*/CPU_FAMILY equ 3/' \
    "$dir/src/configuration.asm"
  if ! (cd "$dir" && nasm -i./src/ -f bin src/test386.asm -w-all -l test386.lst -o test386.bin); then
    echo "$variant: nasm failed"; status=1; continue
  fi
  node "$root/dist/cli.js" run --bios "$dir/test386.bin" --cpu 80386 --max 400000000 --json >"$dir/run.json" 2>/dev/null || true
  # One summary line per variant; the first EE differences when there are any.
  node - "$dir/run.json" "$src/test386-EE-reference.txt" "$src/README.md" "$variant" <<'EOF' || status=1
const fs = require('fs');
const [json, refFile, readme, variant] = process.argv.slice(2);
let run;
try { run = JSON.parse(fs.readFileSync(json, 'utf8')); } catch { console.log(`${variant}: bootscope run failed`); process.exit(1); }
const hex = (v) => v.toString(16).toUpperCase().padStart(2, '0');
const posts = run.postCodes ?? [];
const last = posts.length ? posts[posts.length - 1] : -1;
// The README's table names the test a POST code stands for.
const row = fs.existsSync(readme) ? fs.readFileSync(readme, 'utf8').split('\n').find((l) => l.startsWith(`| 0x${last < 0 ? '' : hex(last)} `)) : null;
const what = row ? ` (${row.split('|')[2].trim()})` : '';
const lines = (t) => t.replace(/\r/g, '').split('\n').filter((l, i, a) => l !== '' || i < a.length - 1);
const out = lines(run.debugText ?? ''), ref = lines(fs.readFileSync(refFile, 'latin1'));
let differ = 0;
const shown = [];
for (let i = 0; i < Math.max(out.length, ref.length); i++) {
  if (out[i] === ref[i]) continue;
  differ++;
  if (shown.length < 10) shown.push(`    line ${i + 1}:\n      reference: ${ref[i] ?? '(none)'}\n      bootscope: ${out[i] ?? '(none)'}`);
}
const reached = last === 0xff;
const ee = out.length === 0 ? 'no EE output' : differ === 0 ? `EE output identical to the reference (${ref.length} lines)`
  : `EE output: ${differ} of ${ref.length} lines differ`;
console.log(`${variant}: ${reached ? 'PASS' : 'FAIL'} — POST ${last < 0 ? 'none' : hex(last) + 'h'}${what}, ` +
  `${run.instructions} instructions, stop: ${run.stopReason}; ${ee}`);
console.log(`  POST codes: ${posts.map(hex).join(' ')}`);
if (out.length && shown.length) console.log(shown.join('\n'));
process.exit(reached && differ === 0 ? 0 : 1);
EOF
done
exit $status
