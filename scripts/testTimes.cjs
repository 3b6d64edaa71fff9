// `node scripts/test.mjs --times`: the runner requires this module in each test file's process,
// which at exit appends its wall and CPU time to the file named by BOOTSCOPE_TEST_TIMES (one JSON
// line per test file); the runner reads them back and prints the table.
const { appendFileSync, readFileSync } = require('node:fs');

// Clock ticks per second of /proc's times (USER_HZ, 100 on Linux whatever the kernel's HZ).
const USER_HZ = 100;

/**
 * CPU seconds (user + system) of this process and of the children it has waited for (nasm, the
 * adapter, QEMU, test files), from /proc/self/stat; off Linux only this process's own time.
 */
function cpuSeconds() {
  let stat;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  // After the parenthesised command name (which may hold spaces) the state is field 3, so utime,
  // stime, cutime and cstime (fields 14-17) are at 11-14.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / USER_HZ;
}

// Read at exit: the runner, which imports this module for cpuSeconds(), clears it for itself (and for
// a runner a test starts). node --test's own process, which starts the test files, is none of them.
process.on('exit', () => {
  const out = process.env.BOOTSCOPE_TEST_TIMES;
  if (out && !process.execArgv.includes('--test')) appendFileSync(out, `${JSON.stringify({ file: process.argv[1], wall: process.uptime(), cpu: cpuSeconds() })}\n`);
});

exports.cpuSeconds = cpuSeconds;
