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
