import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { git } from './git-fixtures.js';

/** An ed25519 ssh key made for the test: `key` signs, `publicKey` is its `.pub` line. */
export function makeSshKey(dir: string, name: string): { key: string; publicKey: string } {
  const key = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', key]);
  return { key, publicKey: readFileSync(`${key}.pub`, 'utf8').trim() };
}

/** An OpenPGP key in its own keyring `home`; returns the fingerprint and the armored public key. */
export function makePgpKey(home: string, email: string): { fingerprint: string; publicKey: string } {
  const gpg = (...args: string[]) =>
    execFileSync('gpg', ['--batch', '--no-tty', '--homedir', home, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  gpg('--passphrase', '', '--quick-gen-key', `gitwire test <${email}>`, 'ed25519', 'sign', 'never');
  const colons = gpg('--with-colons', '--list-keys', email).toString();
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
  if (!fingerprint) throw new Error(`no fingerprint for ${email}`);
  return { fingerprint, publicKey: gpg('--armor', '--export', fingerprint).toString() };
}

export type Signer = { readonly ssh: string } | { readonly pgp: string; readonly home: string } | null;

/** Commits `files` in the work tree `dir`, signed by `signer` (null: unsigned); returns the commit. */
export function commitSigned(dir: string, files: Record<string, string>, signer: Signer): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git(dir, 'add', '-A');
  if (signer === null) git(dir, 'commit', '-q', '-m', 'unsigned');
  else if ('ssh' in signer) {
    git(dir, '-c', 'gpg.format=ssh', '-c', `user.signingkey=${signer.ssh}`, 'commit', '-q', '-S', '-m', 'ssh');
  } else {
    // git runs gpg with the environment it was given; the keyring is chosen by GNUPGHOME.
    const prev = process.env.GNUPGHOME;
    process.env.GNUPGHOME = signer.home;
    try {
      git(dir, '-c', `user.signingkey=${signer.pgp}`, 'commit', '-q', '-S', '-m', 'pgp');
    } finally {
      if (prev === undefined) delete process.env.GNUPGHOME;
      else process.env.GNUPGHOME = prev;
    }
  }
  return git(dir, 'rev-parse', 'HEAD');
}
