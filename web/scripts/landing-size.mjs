// Gzipped JavaScript the landing view (the overview) loads: the entry chunk of dist/index.html with every chunk it
// imports statically, plus the overview route chunk with everything it imports, statically or lazily (ECharts and
// the basemap reader load apart, but the landing view loads them all the same). Budget: 350 KB. Run after
// `npm run build:web`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 350;
const dist = fileURLToPath(new URL('../dist', import.meta.url));
const assets = join(dist, 'assets');
const entry = /src="\/assets\/([^"]+\.js)"/.exec(readFileSync(join(dist, 'index.html'), 'utf8'))?.[1];
const overview = readdirSync(assets).find((f) => /^overview-.*\.js$/.test(f));
if (!entry || !overview) throw new Error('No built dashboard in web/dist: run npm run build:web first.');

const STATIC = /(?:import|from)\s*["']\.\/([^"']+\.js)["']/g;
const LAZY = /import\(\s*[`"']\.\/([^`"']+\.js)[`"']\s*\)/g;
const seen = new Set();
/** The entry's lazy imports are the other routes: only the landing view's own are followed. */
function walk(file, lazy) {
  if (seen.has(file)) return;
  seen.add(file);
  const code = readFileSync(join(assets, file), 'utf8');
  for (const m of code.matchAll(STATIC)) walk(m[1], lazy);
  if (lazy) for (const m of code.matchAll(LAZY)) walk(m[1], lazy);
}
walk(entry, false);
walk(overview, true);

let total = 0;
for (const file of [...seen].sort()) {
  const kb = gzipSync(readFileSync(join(assets, file))).length / 1000;
  total += kb;
  console.log(`${kb.toFixed(1).padStart(7)} kB  ${file}`);
}
console.log(`${total.toFixed(1).padStart(7)} kB  gzipped in ${seen.size} chunks (budget ${BUDGET_KB} kB)`);
if (total > BUDGET_KB) process.exitCode = 1;
