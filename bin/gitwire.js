#!/usr/bin/env node
// Runs the compiled CLI (npm run build, done by scripts/setup.sh).
import { main } from '../dist/cli/main.js';

await main(process.argv);
