import { describe, expect, it } from 'vitest';
import { requestHeaders, responseHeaders } from '../../../src/datapath/proxy/internal/forward-headers.js';

describe('headers the proxy forwards', () => {
  it('drops hop-by-hop headers, those the Connection header names, and Expect; keeps the rest with their case and repeats', () => {
    const raw = [
      'Host',
      'deathstar',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      'secret',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
      'Expect',
      '100-continue',
      'TE',
      'trailers',
      'Upgrade',
      'h2c',
      'X-Ship',
      'tie-1',
      'x-ship',
      'tie-2',
    ];
    expect(requestHeaders(raw, [])).toEqual(['Host', 'deathstar', 'X-Ship', 'tie-1', 'x-ship', 'tie-2']);
  });

  it('applies header edits: add appends a value, replace and delete remove every value first', () => {
    const raw = ['Host', 'd', 'X-Tag', 'rebel', 'X-Clearance', 'low', 'X-Clearance', 'lower', 'X-Debug', 'on'];
    const edits = [
      { op: 'add' as const, name: 'x-tag', value: 'empire' },
      { op: 'replace' as const, name: 'x-clearance', value: 'high' },
      { op: 'delete' as const, name: 'x-debug', value: '' },
    ];
    expect(requestHeaders(raw, edits)).toEqual([
      'Host',
      'd',
      'X-Tag',
      'rebel',
      'x-tag',
      'empire',
      'x-clearance',
      'high',
    ]);
  });

  it('drops hop-by-hop headers from responses', () => {
    expect(
      responseHeaders({
        'content-length': '3',
        connection: 'close, x-internal',
        'x-internal': '1',
        'keep-alive': 'timeout=5',
        'set-cookie': ['a', 'b'],
      }),
    ).toEqual({ 'content-length': '3', 'set-cookie': ['a', 'b'] });
  });
});
