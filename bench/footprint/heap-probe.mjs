// Preloaded into the measured engine (node --import): on SIGUSR2 it writes
// process.memoryUsage() as JSON to $FOOTPRINT_HEAP_FILE. Nothing else; not used for timings.
import { writeFileSync } from 'node:fs';

const file = process.env.FOOTPRINT_HEAP_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    writeFileSync(file, JSON.stringify(process.memoryUsage()));
  });
}
