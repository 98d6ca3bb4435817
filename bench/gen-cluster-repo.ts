// Writes the generated 100-node repository of issue 10 into a new directory
// and prints its path and the two commits, for the plan benches and by hand:
//   npx tsx bench/gen-cluster-repo.ts [dir]
//   node bin/gitwire.js plan --repo <dir> --from <from> --to <to> --all-nodes
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeClusterRepo } from './cluster-repo.js';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'gitwire-cluster-'));
const { from, to } = writeClusterRepo(dir);
console.log(JSON.stringify({ repo: dir, from, to }));
