// Entry point for tests that run the CLI as a user would, without a build step.
import { main } from '../../src/cli/main.js';

await main(process.argv);
