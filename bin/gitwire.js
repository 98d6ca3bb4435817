#!/usr/bin/env node
// Runs the bundled CLI (npm run build, done by scripts/setup.sh; see scripts/bundle-cli.mjs).
import { main } from '../dist/bundle/main.js';

await main(process.argv);
