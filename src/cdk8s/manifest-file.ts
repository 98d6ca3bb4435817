import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { ConstructError } from './construct-error.js';
import { outputPath } from './internal/output-path.js';

export interface ManifestFileProps extends ChartProps {
  /** Where the documents go, relative to the output folder, e.g. `policies/shop/api.yaml`. */
  readonly file: string;
  /** Written as `#` lines under the generated-file marker; say what the file is for. */
  readonly comment?: string;
}

const MANIFEST_FILE = Symbol.for('gitwire.ManifestFile');

/** A chart whose documents GitwireApp writes to one YAML file at a path of your choosing. */
export class ManifestFile extends Chart {
  /** Chart overrides `instanceof` to mean "any chart", so ManifestFile brands its instances. */
  static isManifestFile(x: unknown): x is ManifestFile {
    return typeof x === 'object' && x !== null && MANIFEST_FILE in x;
  }

  readonly file: string;
  readonly comment: string | undefined;

  constructor(scope: Construct, id: string, props: ManifestFileProps) {
    super(scope, id, props);
    this.file = outputPath(this, props.file);
    if (!/\.ya?ml$/.test(this.file))
      throw new ConstructError(this.node.path, `"${props.file}" must end in .yaml or .yml`);
    this.comment = props.comment;
    Object.defineProperty(this, MANIFEST_FILE, { value: true });
  }
}
