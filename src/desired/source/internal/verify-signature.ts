import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceSignatureError } from '../errors/source-signature-error.js';
import type { SignatureVerification } from '../source-options.js';

// The principal every trusted key is filed under in the allowed-signers file gitwire writes.
const PRINCIPAL = 'gitwire-trusted';
const SSH_KEY = /^(ssh-|ecdsa-|sk-)/;

/** A commit object split as git signs it: the signature header taken out of the payload. */
export function splitSignedCommit(raw: Uint8Array): { payload: Buffer; signature: string | undefined } {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  const end = text.indexOf('\n\n');
  const headers = (end < 0 ? text : text.slice(0, end)).split('\n');
  const kept: string[] = [];
  const sig: string[] = [];
  let inSig = false;
  for (const line of headers) {
    if (line.startsWith('gpgsig ') || line.startsWith('gpgsig-sha256 ')) {
      inSig = true;
      sig.push(line.slice(line.indexOf(' ') + 1));
    } else if (inSig && line.startsWith(' ')) {
      sig.push(line.slice(1));
    } else {
      inSig = false;
      kept.push(line);
    }
  }
  const payload = kept.join('\n') + (end < 0 ? '' : text.slice(end));
  return { payload: Buffer.from(payload, 'latin1'), signature: sig.length ? sig.join('\n') + '\n' : undefined };
}

/**
 * Throws SourceSignatureError unless the commit object `raw` is signed by one
 * of the trusted keys, checked with the system's own verifiers: `ssh-keygen -Y
 * verify` for ssh, `gpg --verify` against a keyring holding only the trusted keys for openpgp.
 */
export async function verifyCommitSignature(
  commit: string,
  raw: Uint8Array,
  verify: SignatureVerification,
): Promise<void> {
  const refuse = (reason: 'unsigned' | 'other-format' | 'untrusted', detail?: string) =>
    new SourceSignatureError({ commit, mode: verify.mode, reason, ...(detail ? { detail } : {}) });
  const { payload, signature } = splitSignedCommit(raw);
  if (signature === undefined) throw refuse('unsigned');
  const ssh = signature.startsWith('-----BEGIN SSH SIGNATURE-----');
  const pgp = signature.startsWith('-----BEGIN PGP SIGNATURE-----');
  if ((verify.mode === 'ssh' && !ssh) || (verify.mode === 'openpgp' && !pgp)) throw refuse('other-format');
  const keys = await readFile(verify.trustedKeys);
  const dir = await mkdtemp(join(tmpdir(), 'gitwire-verify-'));
  try {
    await writeFile(join(dir, 'signature'), signature);
    await writeFile(join(dir, 'payload'), payload);
    const failure = verify.mode === 'ssh' ? await verifySsh(dir, keys, payload) : await verifyPgp(dir, keys);
    if (failure !== undefined) throw refuse('untrusted', failure);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function verifySsh(dir: string, keys: Buffer, payload: Buffer): Promise<string | undefined> {
  const signers = keys
    .toString('utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => SSH_KEY.test(l))
    .map((l) => `${PRINCIPAL} namespaces="git" ${l}`);
  if (signers.length === 0) return 'the trusted keys file holds no ssh public key';
  await writeFile(join(dir, 'allowed_signers'), signers.join('\n') + '\n');
  const args = ['-Y', 'verify', '-f', join(dir, 'allowed_signers'), '-I', PRINCIPAL, '-n', 'git'];
  const r = await run('ssh-keygen', [...args, '-s', join(dir, 'signature')], payload);
  return r.code === 0 && /^Good "git" signature/m.test(r.stdout) ? undefined : lastLine(r.stderr || r.stdout);
}

async function verifyPgp(dir: string, keys: Buffer): Promise<string | undefined> {
  const home = ['--batch', '--no-tty', '--homedir', dir];
  await writeFile(join(dir, 'trusted'), keys);
  const imported = await run('gpg', [...home, '--import', join(dir, 'trusted')]);
  if (imported.code !== 0) return `the trusted keys could not be imported: ${lastLine(imported.stderr)}`;
  const r = await run('gpg', [...home, '--status-fd', '1', '--verify', join(dir, 'signature'), join(dir, 'payload')]);
  // GOODSIG only for a good signature by an unexpired, unrevoked key; VALIDSIG says it checked out.
  const good = /^\[GNUPG:\] GOODSIG /m.test(r.stdout) && /^\[GNUPG:\] VALIDSIG /m.test(r.stdout);
  return r.code === 0 && good ? undefined : lastLine(r.stderr || r.stdout);
}

const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';

function run(cmd: string, args: string[], input?: Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 30_000, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (err && typeof err.code === 'string') reject(new Error(`${cmd}: ${err.message}`));
      else resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}
