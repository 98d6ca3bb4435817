import { SourceError } from './source-error.js';

export interface SourceSignatureData {
  /** The commit refused; null for a plain directory, which has none to verify. */
  readonly commit: string | null;
  readonly mode: 'ssh' | 'openpgp';
  readonly reason: 'unsigned' | 'other-format' | 'untrusted' | 'no-commit';
  /** What the verifier said, when it ran. */
  readonly detail?: string;
}

const explain: Record<SourceSignatureData['reason'], string> = {
  unsigned: 'the commit is not signed',
  'other-format': 'the commit is signed, but not with the kind of signature verification asks for',
  untrusted: 'the signature does not verify with any of the trusted keys',
  'no-commit': 'a plain directory has no commit to verify',
};

/**
 * Signature verification is on and the commit does not carry a valid
 * signature by a trusted key (Flux's spec.verify). Nothing of it is compiled.
 */
export class SourceSignatureError extends SourceError<SourceSignatureData> {
  readonly code = 'E_SOURCE_SIGNATURE';
  override readonly name = 'SourceSignatureError';

  constructor(data: SourceSignatureData) {
    const detail = data.detail ? ` (${data.detail})` : '';
    super(
      `commit ${data.commit ?? '(none)'} refused by ${data.mode} signature verification: ${explain[data.reason]}${detail}`,
      data,
    );
  }
}
