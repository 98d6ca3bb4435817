/** Where one document of a synthesized file starts, and which construct made it. */
export interface SynthesizedDocument {
  /** Line of the document's first field (1-based), as validation reports it. */
  readonly line: number;
  readonly constructPath: string;
}

/** One output file of an app, rendered but not yet written. */
export interface SynthesizedFile {
  /** Relative to the output folder, `/`-separated. */
  readonly path: string;
  readonly text: string;
  readonly documents: readonly SynthesizedDocument[];
}

/** The construct behind a line of a synthesized file: the document that holds it, or else the file's own construct. */
export function constructAt(file: SynthesizedFile & { readonly constructPath: string }, line: number): string {
  let found = file.constructPath;
  for (const d of file.documents) if (d.line <= line) found = d.constructPath;
  return found;
}
