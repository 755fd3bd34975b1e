// Preloaded into a next-server by the bench's soak section: every $BENCH_MEMORY_INTERVAL_MS it
// appends one line of `process.memoryUsage()` (with the time) to $BENCH_MEMORY_FILE, from inside
// the process, where the JavaScript heap (the Edge middleware's sandbox included) can be read.
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_MEMORY_FILE;
const interval = Number(process.env.BENCH_MEMORY_INTERVAL_MS);

setInterval(() => {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  appendFileSync(
    file,
    `${JSON.stringify({ t: Date.now(), rss, heapUsed, heapTotal, external, arrayBuffers })}\n`,
  );
}, interval).unref();
