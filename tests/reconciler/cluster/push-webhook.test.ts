import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signGenericPush, verifyPushWebhook } from '../../../src/reconciler/cluster/push-webhook.js';

const SECRET = 'test-secret';
const COMMIT = 'a'.repeat(40);
const hmac = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');
const verify = (headers: Record<string, string>, body: string, secret = SECRET) =>
  verifyPushWebhook(headers, Buffer.from(body), secret);

describe('push webhooks', () => {
  const body = JSON.stringify({ ref: 'refs/heads/main', after: COMMIT });

  it('accepts a GitHub push signed with the shared secret', () => {
    const v = verify({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(body)}` }, body);
    expect(v).toEqual({ accepted: true, push: { provider: 'github', ref: 'refs/heads/main', commit: COMMIT } });
  });

  it('accepts Gitea (HMAC), GitLab (token) and the generic form', () => {
    expect(verify({ 'x-gitea-event': 'push', 'x-gitea-signature': hmac(body) }, body).accepted).toBe(true);
    const gitlab = JSON.stringify({ ref: 'refs/heads/main', checkout_sha: COMMIT });
    expect(verify({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET }, gitlab).accepted).toBe(true);
    const generic = signGenericPush('refs/heads/main', COMMIT, SECRET);
    expect(verify(generic.headers, generic.body)).toMatchObject({ accepted: true, push: { provider: 'generic' } });
  });

  it('refuses a wrong signature, a signature over another body, a wrong GitLab token and no signature at all', () => {
    const other = JSON.stringify({ ref: 'refs/heads/main', after: 'b'.repeat(40) });
    expect(
      verify({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(body, 'nope')}` }, body),
    ).toMatchObject({ accepted: false, status: 401 });
    expect(verify({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(body)}` }, other)).toMatchObject({
      accepted: false,
      status: 401,
    });
    expect(verify({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'guess' }, body)).toMatchObject({
      accepted: false,
      status: 401,
    });
    expect(verify({ 'x-github-event': 'push' }, body)).toMatchObject({ accepted: false, status: 401 });
  });

  it('refuses everything when no secret is configured', () => {
    expect(
      verify({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(body, '')}` }, body, ''),
    ).toMatchObject({ accepted: false, status: 401 });
  });

  it('ignores signed events that are not pushes, and refuses a push without a full commit id', () => {
    const ping = JSON.stringify({ zen: 'hi' });
    expect(verify({ 'x-github-event': 'ping', 'x-hub-signature-256': `sha256=${hmac(ping)}` }, ping)).toMatchObject({
      accepted: false,
      status: 202,
    });
    const short = JSON.stringify({ ref: 'refs/heads/main', after: 'abc' });
    expect(verify({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(short)}` }, short)).toMatchObject({
      accepted: false,
      status: 400,
    });
  });
});
