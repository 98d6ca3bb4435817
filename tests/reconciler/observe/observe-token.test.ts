import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bearerMatches,
  isLoopbackHost,
  ObserveHub,
  ObserveTokenFileError,
  ObserveTokenRequiredError,
  readObserveToken,
  startObserveServer,
} from '../../../src/reconciler/agent/index.js';
import { makeTempDir, removeDir } from '../../support/git-fixtures.js';

const dir = makeTempDir('gitwire-observe-token-');
afterAll(() => removeDir(dir));

describe('observe token', () => {
  it('reads the token file first line, else $GITWIRE_OBSERVE_TOKEN, else none', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 's3cret\nignored\n');
    expect(readObserveToken(file, { GITWIRE_OBSERVE_TOKEN: 'env' })).toBe('s3cret');
    expect(readObserveToken(undefined, { GITWIRE_OBSERVE_TOKEN: ' env ' })).toBe('env');
    expect(readObserveToken(undefined, {})).toBeNull();
  });

  it('refuses an empty or missing token file with its code', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    expect(() => readObserveToken(empty, {})).toThrow(ObserveTokenFileError);
    expect(() => readObserveToken(join(dir, 'absent'), {})).toThrow(/ENOENT/);
  });

  it('accepts exactly the bearer token', () => {
    expect(bearerMatches('Bearer abc', 'abc')).toBe(true);
    expect(bearerMatches('bearer abc', 'abc')).toBe(true);
    expect(bearerMatches('Bearer abcd', 'abc')).toBe(false);
    expect(bearerMatches('Bearer ab', 'abc')).toBe(false);
    expect(bearerMatches('Basic abc', 'abc')).toBe(false);
    expect(bearerMatches(undefined, 'abc')).toBe(false);
    expect(bearerMatches('Bearer ', '')).toBe(false);
  });

  it('tells loopback from everything else', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.1', undefined, 'example.org'].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('refuses to serve beyond loopback without a token, and serves loopback without one', async () => {
    const opts = {
      token: null,
      node: 'n1',
      hub: new ObserveHub(),
      identities: () => new Map(),
      lostEvents: () => null,
      flows: async () => [],
    };
    await expect(startObserveServer({ ...opts, addr: '0.0.0.0:0' })).rejects.toThrow(ObserveTokenRequiredError);
    await expect(startObserveServer({ ...opts, addr: ':0' })).rejects.toMatchObject({
      code: 'E_OBSERVE_TOKEN_REQUIRED',
    });
    const server = await startObserveServer({ ...opts, addr: '127.0.0.1:0' });
    try {
      const res = await fetch(`${server.url}/v1/flows`);
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
