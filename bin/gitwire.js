#!/usr/bin/env node
// Runs the bundled CLI (npm run build, done by scripts/setup.sh; see
// scripts/bundle-cli.mjs) from the V8 code cache the build made, so a start
// skips compiling it. A cache V8 rejects (another Node, other flags) only
// means compiling as usual.
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const file = fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url));
const cacheFile = `${file}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
const cli = { exports: {} };
script.runInThisContext()(cli.exports, createRequire(file), cli, file, dirname(file));

await cli.exports.main(process.argv);
if (process.env.GITWIRE_WRITE_CODE_CACHE === '1') writeFileSync(cacheFile, script.createCachedData());
