import { createHmac, timingSafeEqual } from 'node:crypto';

/** The git hosts whose push webhooks the agent accepts, and gitwire's own generic form. */
export type WebhookProvider = 'github' | 'gitea' | 'gitlab' | 'generic';

/** A verified push: the ref it moved and the commit it moved to. */
export interface PushEvent {
  readonly provider: WebhookProvider;
  readonly ref: string;
  readonly commit: string;
}

export type WebhookVerdict =
  | { readonly accepted: true; readonly push: PushEvent }
  | { readonly accepted: false; readonly status: 400 | 401 | 202; readonly reason: string };

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const header = (h: Headers, name: string): string | undefined => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

const hmacHex = (secret: string, body: Buffer): string => createHmac('sha256', secret).update(body).digest('hex');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks a push webhook the way each host signs it — GitHub
 * `X-Hub-Signature-256: sha256=<hmac>`, Gitea `X-Gitea-Signature: <hmac>`
 * (HMAC-SHA256 of the raw body), GitLab `X-Gitlab-Token: <secret>`, and
 * gitwire's generic `X-Gitwire-Signature-256: sha256=<hmac>` with a body of
 * `{"ref", "commit"}` — and reads the ref and commit. Anything unsigned,
 * wrongly signed or not a push is refused; the body is never trusted first.
 */
export function verifyPushWebhook(headers: Headers, body: Buffer, secret: string): WebhookVerdict {
  if (secret === '') return { accepted: false, status: 401, reason: 'no webhook secret configured' };
  const provider = providerOf(headers);
  if (!provider) return { accepted: false, status: 401, reason: 'no signature header of a known provider' };
  if (!signatureValid(provider, headers, body, secret)) {
    return { accepted: false, status: 401, reason: `${provider} signature does not match` };
  }
  const event = eventName(provider, headers);
  if (event !== 'push') return { accepted: false, status: 202, reason: `${provider} event ${event} ignored` };
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return { accepted: false, status: 400, reason: 'body is not JSON' };
  }
  const ref = payload.ref;
  const commit = provider === 'generic' ? payload.commit : (payload.after ?? payload.checkout_sha);
  if (typeof ref !== 'string' || typeof commit !== 'string' || !/^[0-9a-f]{40}$/.test(commit)) {
    return { accepted: false, status: 400, reason: 'push without a ref and a full commit id' };
  }
  return { accepted: true, push: { provider, ref, commit } };
}

function providerOf(h: Headers): WebhookProvider | null {
  if (header(h, 'x-hub-signature-256') !== undefined) return 'github';
  if (header(h, 'x-gitea-signature') !== undefined) return 'gitea';
  if (header(h, 'x-gitlab-token') !== undefined) return 'gitlab';
  if (header(h, 'x-gitwire-signature-256') !== undefined) return 'generic';
  return null;
}

function signatureValid(provider: WebhookProvider, h: Headers, body: Buffer, secret: string): boolean {
  switch (provider) {
    case 'github':
      return sameText(header(h, 'x-hub-signature-256')!, `sha256=${hmacHex(secret, body)}`);
    case 'gitea':
      return sameText(header(h, 'x-gitea-signature')!, hmacHex(secret, body));
    case 'gitlab':
      return sameText(header(h, 'x-gitlab-token')!, secret);
    case 'generic':
      return sameText(header(h, 'x-gitwire-signature-256')!, `sha256=${hmacHex(secret, body)}`);
  }
}

function eventName(provider: WebhookProvider, h: Headers): string {
  switch (provider) {
    case 'github':
      return header(h, 'x-github-event') ?? 'unknown';
    case 'gitea':
      return header(h, 'x-gitea-event') ?? 'unknown';
    case 'gitlab':
      return header(h, 'x-gitlab-event') === 'Push Hook' ? 'push' : (header(h, 'x-gitlab-event') ?? 'unknown');
    case 'generic':
      return 'push';
  }
}

/** Headers and body a generic sender (or a test) signs a push with. */
export function signGenericPush(
  ref: string,
  commit: string,
  secret: string,
): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({ ref, commit });
  return {
    headers: {
      'content-type': 'application/json',
      'x-gitwire-signature-256': `sha256=${hmacHex(secret, Buffer.from(body))}`,
    },
    body,
  };
}
