#!/usr/bin/env node
/* global __dirname */
// Runs the bundled CLI (npm run build, done by scripts/setup.sh; see
// scripts/bundle-cli.mjs) from the V8 code cache the build made, so a start
// skips compiling it. A cache V8 rejects (another Node, other flags) only
// means compiling as usual. CommonJS (bin/package.json): an ES module entry
// starts Node's ESM loader, a few ms of a start that aims at twice `node -e 0`.
const { readFileSync, writeFileSync } = process.getBuiltinModule('node:fs');
const { createRequire, Module } = process.getBuiltinModule('node:module');
const { join } = process.getBuiltinModule('node:path');
const { Script } = process.getBuiltinModule('node:vm');

// `validate` and the root help run from a bundle without the other commands,
// a smaller file and cache to load; main.ts finds the command by the same rule.
const operands = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const command = operands[0] === 'help' ? operands[1] : operands[0];
const bundle = command === undefined || command === 'validate' ? 'validate' : 'cli';

// A one-shot command runs code V8 has barely seen. At V8's default tier-up
// budget, a one-node plan of the 100-node repository spent about 0.4 s of CPU
// on background threads optimizing functions, beside 0.65 s on the main thread,
// and on two cores those threads take turns with it. Six times the budget
// optimizes what runs really hot and leaves the rest (docs/benchmarks.md).
// Set before the bundle loads: its code cache is made under the same flags.
// The commands that keep running keep V8's default.
if (!['agent', 'monitor', 'cluster'].includes(command)) {
  process.getBuiltinModule('node:v8').setFlagsFromString('--interrupt-budget=400000');
}

const file = join(__dirname, '../dist/bundle', `${bundle}.cjs`);
const cacheFile = `${file}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
const cli = { exports: {} };
script.runInThisContext()(cli.exports, createRequire(file), cli, file, join(file, '..'));

cli.exports.main(process.argv).then(() => {
  if (process.env.GITWIRE_WRITE_CODE_CACHE === '1') writeFileSync(cacheFile, script.createCachedData());
});
