/**
 * `npm run bench`: every benchmark, one JSON line per figure: {"name","value","unit"}.
 * `npm run bench -- <name>` runs only the benchmarks whose file name contains <name>.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Figure, print } from './support';

const filter = process.argv[2];
const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => !filter || file.includes(filter))
  .sort();

for (const file of files) {
  const bench = (await import(`./${file}`)) as { run: () => Promise<Figure[]> };
  for (const figure of await bench.run()) print(figure);
}
process.exit(0);
