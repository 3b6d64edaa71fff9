// The process's CPU time, for measures that other load on a shared machine should not distort.

/** User + system milliseconds of this process (all its threads) since it started. */
export function cpuMilliseconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
