import type { Diagnostic } from '../diagnostics.js';
import { manifestFiles, noteJsonManifest, readYamlFile, type ParsedDocument, type ReadLimits } from '../load/index.js';
import type { RepoFile, RepoTree } from '../source/repo-tree.js';
import type { CachedFile, LoadCache } from './load-cache.js';
import { validateDocument, type ValidatedDocument } from './validate-documents.js';

export interface ValidatedFiles {
  readonly documents: ValidatedDocument[];
  /** Reading findings of every file, then each document's own findings, both in file order. */
  readonly diagnostics: Diagnostic[];
}

/** Reads every manifest of a tree and checks each document on its own, reusing the cache's files where the bytes match. */
export function validateFiles(tree: RepoTree, limits: ReadLimits, cache?: LoadCache): ValidatedFiles {
  const reading: Diagnostic[] = [];
  const checking: Diagnostic[] = [];
  const documents: ValidatedDocument[] = [];
  let budget = limits.maxDocuments;
  cache?.beginTree();
  for (const { file, role } of manifestFiles(tree)) {
    if (role === 'json') {
      const note = noteJsonManifest(file, limits);
      if (note) reading.push(note);
      continue;
    }
    const key = cache?.key(file, limits);
    let entry = key === undefined ? undefined : cache?.get(key);
    let truncated = false;
    if (!entry || entry.documentCount > budget) {
      ({ entry, truncated } = readAndCheck(file, limits, budget));
      if (key !== undefined && !truncated) cache?.set(key, entry);
    }
    for (const d of entry.readDiagnostics) reading.push(d);
    for (const d of entry.documentDiagnostics) checking.push(d);
    for (const d of entry.documents) documents.push(d);
    budget -= entry.documentCount;
    if (truncated) break;
  }
  cache?.endTree();
  return { documents, diagnostics: [...reading, ...checking] };
}

function readAndCheck(file: RepoFile, limits: ReadLimits, budget: number): { entry: CachedFile; truncated: boolean } {
  const read = readYamlFile(file, limits, budget);
  const documentDiagnostics: Diagnostic[] = [];
  const documents = read.documents.map((doc) => ({
    doc: withoutValue(doc),
    declaration: validateDocument(doc, documentDiagnostics),
  }));
  read.release();
  const entry = {
    readDiagnostics: read.diagnostics,
    documentDiagnostics,
    documents,
    documentCount: read.documentCount,
  };
  return { entry, truncated: read.truncated };
}

/** The checks across documents need a document's place, not its parsed value; dropping it frees the memory early. */
function withoutValue(doc: ParsedDocument): ParsedDocument {
  return { file: doc.file, line: doc.line, index: doc.index, value: null, lineOf: doc.lineOf };
}
