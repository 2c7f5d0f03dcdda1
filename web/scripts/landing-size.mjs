// Gzipped JavaScript the landing view (the overview) loads: the entry chunk of dist/index.html with every chunk it
// imports statically, plus the overview route chunk with its own. Budget: 350 KB. Run after `npm run build:web`.
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

const seen = new Set();
function walk(file) {
  if (seen.has(file)) return;
  seen.add(file);
  const code = readFileSync(join(assets, file), 'utf8');
  for (const m of code.matchAll(/(?:import|from)\s*["']\.\/([^"']+\.js)["']/g)) walk(m[1]);
}
walk(entry);
walk(overview);

let total = 0;
for (const file of [...seen].sort()) {
  const kb = gzipSync(readFileSync(join(assets, file))).length / 1000;
  total += kb;
  console.log(`${kb.toFixed(1).padStart(7)} kB  ${file}`);
}
console.log(`${total.toFixed(1).padStart(7)} kB  gzipped in ${seen.size} chunks (budget ${BUDGET_KB} kB)`);
if (total > BUDGET_KB) process.exitCode = 1;
