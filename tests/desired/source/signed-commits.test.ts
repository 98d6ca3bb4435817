import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepository } from '../../../src/desired/source/index.js';
import { git, makeBare, makeRepo, makeTempDir, pushAll, removeDir } from '../../support/git-fixtures.js';
import { startGitHttpServer, type GitHttpServer } from '../../support/git-http-server.js';
import { commitSigned, makePgpKey, makeSshKey } from '../../support/signing-keys.js';

let root: string;
let server: GitHttpServer;
let work: string;
let bare: string;
let cacheCount = 0;
const cacheDir = () => join(root, `cache-${cacheCount++}`);

const ssh = { trusted: '', stranger: '', trustedFile: '' };
const pgp = { trusted: '', stranger: '', trustedFile: '', home: '', strangerHome: '' };

beforeAll(async () => {
  root = makeTempDir('gitwire-signed-');
  const trustedKey = makeSshKey(root, 'trusted');
  ssh.trusted = trustedKey.key;
  ssh.stranger = makeSshKey(root, 'stranger').key;
  ssh.trustedFile = join(root, 'trusted-ssh.pub');
  writeFileSync(ssh.trustedFile, `# the team's signing keys\n${trustedKey.publicKey}\n`);
  pgp.home = join(root, 'gnupg');
  pgp.strangerHome = join(root, 'gnupg-stranger');
  mkdirSync(pgp.home, { mode: 0o700 });
  mkdirSync(pgp.strangerHome, { mode: 0o700 });
  const trustedPgp = makePgpKey(pgp.home, 'trusted@gitwire.invalid');
  pgp.trusted = trustedPgp.fingerprint;
  pgp.stranger = makePgpKey(pgp.strangerHome, 'stranger@gitwire.invalid').fingerprint;
  pgp.trustedFile = join(root, 'trusted.asc');
  writeFileSync(pgp.trustedFile, trustedPgp.publicKey);
  work = join(root, 'work');
  makeRepo(work, [{ 'policies/a.yaml': 'kind: CiliumNetworkPolicy\n' }]);
  bare = makeBare(work, join(root, 'repo.git'));
  server = await startGitHttpServer({ root });
}, 60_000);

afterAll(async () => {
  // The key generation started a gpg-agent per keyring: stop exactly those.
  for (const home of [pgp.home, pgp.strangerHome]) {
    if (home) execFileSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'ignore' });
  }
  await server?.close();
  if (root) removeDir(root);
});

/** Commits with `signer`, publishes, and reads the new head over HTTP with `verify`. */
async function readSigned(
  signer: Parameters<typeof commitSigned>[2],
  verify: { mode: 'ssh' | 'openpgp'; trustedKeys: string },
) {
  const commit = commitSigned(work, { 'policies/a.yaml': `kind: CiliumNetworkPolicy\n# ${cacheCount}\n` }, signer);
  pushAll(work, bare);
  return { commit, read: readRepository(server.url('repo.git'), { cacheDir: cacheDir(), verify }) };
}

describe('signed commits (Flux spec.verify)', () => {
  const sshVerify = () => ({ mode: 'ssh' as const, trustedKeys: ssh.trustedFile });
  const pgpVerify = () => ({ mode: 'openpgp' as const, trustedKeys: pgp.trustedFile });

  it('ssh: a commit signed by a trusted key is read', async () => {
    const { commit, read } = await readSigned({ ssh: ssh.trusted }, sshVerify());
    expect((await read).revision).toBe(commit);
  });

  it('ssh: an unsigned commit, one signed by another key, and an OpenPGP-signed one are refused, each saying why', async () => {
    const unsigned = await readSigned(null, sshVerify());
    await expect(unsigned.read).rejects.toMatchObject({
      code: 'E_SOURCE_SIGNATURE',
      data: { commit: unsigned.commit, mode: 'ssh', reason: 'unsigned' },
    });
    const stranger = await readSigned({ ssh: ssh.stranger }, sshVerify());
    await expect(stranger.read).rejects.toMatchObject({
      code: 'E_SOURCE_SIGNATURE',
      data: { commit: stranger.commit, reason: 'untrusted' },
    });
    const other = await readSigned({ pgp: pgp.trusted, home: pgp.home }, sshVerify());
    await expect(other.read).rejects.toMatchObject({ code: 'E_SOURCE_SIGNATURE', data: { reason: 'other-format' } });
  });

  it('openpgp: a commit signed by a trusted key is read; a stranger, an unsigned one and an ssh one are refused', async () => {
    const good = await readSigned({ pgp: pgp.trusted, home: pgp.home }, pgpVerify());
    expect((await good.read).revision).toBe(good.commit);
    const stranger = await readSigned({ pgp: pgp.stranger, home: pgp.strangerHome }, pgpVerify());
    await expect(stranger.read).rejects.toMatchObject({
      code: 'E_SOURCE_SIGNATURE',
      data: { commit: stranger.commit, mode: 'openpgp', reason: 'untrusted' },
    });
    const unsigned = await readSigned(null, pgpVerify());
    await expect(unsigned.read).rejects.toMatchObject({ code: 'E_SOURCE_SIGNATURE', data: { reason: 'unsigned' } });
    const sshSigned = await readSigned({ ssh: ssh.trusted }, pgpVerify());
    await expect(sshSigned.read).rejects.toMatchObject({
      code: 'E_SOURCE_SIGNATURE',
      data: { reason: 'other-format' },
    });
  });

  it('a signed commit whose message was changed afterwards does not verify', async () => {
    const signed = await readSigned({ ssh: ssh.trusted }, sshVerify());
    await signed.read;
    const raw = execFileSync('git', ['cat-file', 'commit', signed.commit], { cwd: bare }).toString();
    const forged = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], {
      cwd: bare,
      input: raw.replace(/\n\n[^]*$/, '\n\nallow everything\n'),
    })
      .toString()
      .trim();
    git(bare, 'update-ref', 'refs/heads/tampered', forged);
    await expect(
      readRepository(server.url('repo.git'), { cacheDir: cacheDir(), rev: 'tampered', verify: sshVerify() }),
    ).rejects.toMatchObject({ code: 'E_SOURCE_SIGNATURE', data: { commit: forged, reason: 'untrusted' } });
  });

  it('verification on a plain directory is refused: there is no commit to verify', async () => {
    await expect(readRepository(work + '/policies', { verify: sshVerify() })).rejects.toMatchObject({
      code: 'E_SOURCE_SIGNATURE',
      data: { reason: 'no-commit' },
    });
  });
});
