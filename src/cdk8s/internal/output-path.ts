import { posix } from 'node:path';
import type { IConstruct } from 'constructs';
import { ConstructError } from '../construct-error.js';

/** Checks that an output file stays inside the output folder: relative, normalized, no `..`. */
export function outputPath(scope: IConstruct, file: string): string {
  const normalized = posix.normalize(file);
  if (file === '' || posix.isAbsolute(file) || normalized.startsWith('..') || normalized !== file) {
    throw new ConstructError(
      scope.node.path,
      `output file "${file}" must be a normalized path relative to the output folder`,
    );
  }
  return file;
}
