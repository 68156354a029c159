/**
 * Preloaded into every process the benchmark measures (`node --import …/probe.js`): when the process exits,
 * it writes its own resource usage (peak RSS, CPU time) as one JSON line to file descriptor 3, which the
 * benchmark opened as a pipe. The measured program itself is not changed; without fd 3 this does nothing.
 */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  try {
    const memory = process.memoryUsage();
    writeSync(3, `${JSON.stringify({ maxRssKb: usage.maxRSS, userUs: usage.userCPUTime, systemUs: usage.systemCPUTime, heapUsedMb: memory.heapUsed / 2 ** 20, heapTotalMb: memory.heapTotal / 2 ** 20, externalMb: memory.external / 2 ** 20 })}\n`);
  } catch {
    // fd 3 is not open: not run by the benchmark
  }
});
