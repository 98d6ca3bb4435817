import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SourceUnreachableError } from '../../src/desired/index.js';
import { ValidationError } from '../../src/desired/diagnostics.js';
import { Agent, agentLogger, type AgentDeps, type LogFormat } from '../../src/reconciler/agent/index.js';

const A = 'a'.repeat(40);

/** An agent whose first fetch fails (unreachable) and whose commit then fails validation. */
async function runPasses(format: LogFormat): Promise<string[]> {
  const stream = new PassThrough();
  let out = '';
  stream.setEncoding('utf8').on('data', (d: string) => (out += d));
  let fetches = 0;
  const deps: Partial<AgentDeps> = {
    resolve: async () => {
      fetches += 1;
      if (fetches === 1) throw new SourceUnreachableError({ url: 'https://git.test/cfg.git', reason: 'ECONNREFUSED' });
      return A;
    },
    compile: async () => {
      throw new ValidationError([
        { severity: 'error', code: 'E_SCHEMA', file: 'bad.yaml', line: 3, path: 'spec.x', message: 'unknown field' },
      ]);
    },
    openLiveNode: () => null,
    release: () => {},
  };
  const agent = new Agent({
    repo: 'https://git.test/cfg.git',
    node: 'n1',
    intervalMs: 60_000,
    stores: [],
    deps,
    log: agentLogger({ node: 'n1', format, revision: () => 'enforced-rev', stream }),
  });
  await agent.reconcileNow();
  await agent.reconcileNow();
  await agent.stop();
  return out.trim().split('\n');
}

describe('agent logs', () => {
  it('are JSON lines with level, node, revision and step when asked', async () => {
    const lines = (await runPasses('json')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      node: 'n1',
      step: 'fetch',
      code: 'E_SOURCE_UNREACHABLE',
      msg: expect.stringContaining('fetch failed') as unknown,
    });
    expect(lines[1]).toMatchObject({ level: 'error', node: 'n1', step: 'load', revision: A, code: 'E_VALIDATION' });
    expect(lines[1]!.msg).toContain('bad.yaml:3');
    for (const l of lines) expect(Date.parse(l.time as string)).not.toBeNaN();
  });

  it('name the enforced revision when the line is about none in particular', () => {
    const stream = new PassThrough();
    const log = agentLogger({ node: 'n1', format: 'json', revision: () => 'enforced-rev', stream });
    log('conntrack gc: removed 3 expired entries', { step: 'gc' });
    const line = JSON.parse(String(stream.read())) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', node: 'n1', revision: 'enforced-rev', step: 'gc' });
  });

  it('are plain lines by default, the level shown when it is not info', async () => {
    const lines = await runPasses('text');
    expect(lines[0]).toMatch(/^\S+Z n1: WARN fetch failed/);
    expect(lines[1]).toMatch(/^\S+Z n1: ERROR stalled at load/);
  });
});
