import { Construct } from 'constructs';
import { outputPath } from './internal/output-path.js';

export interface TextFileProps {
  /** Relative to the output folder, e.g. `systemd/gitwire-agent.service`. */
  readonly file: string;
  /** The file's text; it must accept `#` comment lines, because the generated-file header is one. */
  readonly content: string;
  readonly comment?: string;
}

/** A non-Kubernetes file (a systemd unit, say) that GitwireApp writes beside the manifests. */
export class TextFile extends Construct {
  readonly file: string;
  readonly content: string;
  readonly comment: string | undefined;

  constructor(scope: Construct, id: string, props: TextFileProps) {
    super(scope, id);
    this.file = outputPath(this, props.file);
    this.content = props.content.endsWith('\n') ? props.content : props.content + '\n';
    this.comment = props.comment;
  }
}
