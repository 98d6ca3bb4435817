import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CiliumNetworkPolicy,
  ConstructError,
  Endpoint,
  ManifestFile,
  Node,
  Peer,
  PolicyRule,
  Port,
  Selector,
  SynthValidationError,
} from '../../src/cdk8s/index.js';
import { emptyRepoApp } from './synth-helpers.js';

function synthError(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected synth to fail');
}

describe('invalid props', () => {
  it('fail at synth with the construct path and the field path of a schema error', () => {
    const { app, dispose } = emptyRepoApp();
    try {
      const file = new ManifestFile(app, 'policies', { file: 'p.yaml', namespace: 'shop' });
      new CiliumNetworkPolicy(file, 'good', {
        metadata: { name: 'good' },
        spec: { endpointSelector: Selector.all() },
      }).allowFrom(Peer.entities('cluster'));
      new CiliumNetworkPolicy(file, 'bad-port', {
        metadata: { name: 'bad' },
        spec: { endpointSelector: Selector.labels({ app: 'x' }) },
      }).allowFrom(Peer.labels({ app: 'y' }), Port.range(9000, 70000));
      const err = synthError(() => app.synth());
      expect(err).toBeInstanceOf(SynthValidationError);
      const errors = (err as SynthValidationError).diagnostics.filter((d) => d.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      for (const d of errors) expect(d.constructPath).toBe('policies/bad-port');
      expect(errors.map((d) => d.path)).toContain('spec.ingress[0].toPorts[0].ports[0].endPort');
      expect(err.message).toContain('policies/bad-port: p.yaml:');
    } finally {
      dispose();
    }
  });

  it('fail at synth with the construct path of a cross-document error', () => {
    const { app, dispose } = emptyRepoApp();
    try {
      const file = new ManifestFile(app, 'workloads', { file: 'w.yaml', namespace: 'shop' });
      new Node(file, 'n1', { metadata: { name: 'n1' }, spec: { address: '192.168.1.1', podCIDR: '10.0.1.0/24' } });
      new Endpoint(file, 'orphan', { metadata: { name: 'orphan' }, spec: { node: 'nowhere' } });
      const err = synthError(() => app.synth()) as SynthValidationError;
      expect(err.code).toBe('E_SYNTH_VALIDATION');
      expect(err.diagnostics.find((d) => d.severity === 'error')?.constructPath).toBe('workloads/orphan');
    } finally {
      dispose();
    }
  });

  it('fail with the construct path when a fluent call cannot apply', () => {
    const { app, dispose } = emptyRepoApp(false);
    try {
      const file = new ManifestFile(app, 'f', { file: 'p.yaml' });
      const multi = new CiliumNetworkPolicy(file, 'multi', {
        metadata: { name: 'm' },
        specs: [PolicyRule.selecting(Selector.all())],
      });
      const err = synthError(() => multi.allowFrom(Peer.entities('world')));
      expect(err).toBeInstanceOf(ConstructError);
      expect(err.message).toMatch(/^f\/multi: allowFrom\(\)/);
      expect(synthError(() => new ManifestFile(app, 'escape', { file: '../outside.yaml' })).message).toMatch(
        /^escape: /,
      );
    } finally {
      dispose();
    }
  });

  it('write nothing when the app does not validate', () => {
    const { app, dispose } = emptyRepoApp();
    try {
      const file = new ManifestFile(app, 'f', { file: 'e.yaml' });
      new Endpoint(file, 'e', { metadata: { name: 'e' }, spec: { node: 'missing' } });
      synthError(() => app.synth());
      expect(existsSync(join(app.outdir, 'e.yaml'))).toBe(false);
    } finally {
      dispose();
    }
  });
});
