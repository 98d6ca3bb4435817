import { z } from 'zod';
import { namespaceName, objectName, portName } from './meta.js';

// HealthCheck (gitwire.io/v1alpha1): a probe an agent runs after applying a new
// revision; a failure rolls the node back to its last good revision. Shape only;
// references to endpoints, services and nodes are checked across documents.
// Each schema is built at its first parse (z.lazy): most repositories declare
// no HealthCheck, and every schema built costs `gitwire validate`'s start.

/** `namespace/name` of an Endpoint or Service; each part keeps its own strict grammar. */
export const objectRef = z.lazy(() =>
  z.string().refine((text) => {
    const [ns, name, ...rest] = text.split('/');
    return (
      rest.length === 0 &&
      name !== undefined &&
      namespaceName.safeParse(ns).success &&
      objectName.safeParse(name).success
    );
  }, 'must be namespace/name (a DNS-1123 label, "/", a DNS-1123 subdomain)'),
);

/** Longest deadline: the agent holds its pass (and the node's rollback) while a probe runs. */
export const MAX_DEADLINE_MS = 60_000;
export const DEFAULT_DEADLINE = '2s';

/** `500ms` or `2s`, as milliseconds. */
export const deadline = z.lazy(() =>
  z
    .string()
    .regex(/^[1-9][0-9]*(ms|s)$/, 'must be a duration in ms or s, like 500ms or 2s')
    .transform((text) => (text.endsWith('ms') ? Number(text.slice(0, -2)) : Number(text.slice(0, -1)) * 1000))
    .refine((ms) => ms <= MAX_DEADLINE_MS, `must be at most ${MAX_DEADLINE_MS / 1000}s`),
);

const port = z.number().int().min(1).max(65535);

/** Exactly one of endpoint, service or address; `port` (number or name) belongs to a service target. */
export const healthCheckTarget = z.lazy(() =>
  z
    .strictObject({
      endpoint: objectRef.optional(),
      service: objectRef.optional(),
      address: z.ipv4().optional(),
      port: z.union([port, portName]).optional(),
    })
    .superRefine((t, ctx) => {
      const set = (['endpoint', 'service', 'address'] as const).filter((k) => t[k] !== undefined);
      if (set.length !== 1)
        ctx.addIssue({ code: 'custom', message: 'give exactly one of endpoint, service or address', path: [] });
      if (t.port !== undefined && t.service === undefined)
        ctx.addIssue({
          code: 'custom',
          message: 'to.port names a service port; use spec.port otherwise',
          path: ['port'],
        });
    }),
);

export const healthCheckSpec = z.lazy(() =>
  z
    .strictObject({
      from: z.strictObject({ endpoint: objectRef }),
      to: healthCheckTarget,
      probe: z.enum(['tcp', 'http', 'icmp']),
      port: port.optional(),
      /** HTTP only: the path to GET and the status expected. */
      path: z
        .string()
        .max(1024)
        .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/, 'must be a URL path starting with "/"')
        .optional(),
      status: z.number().int().min(100).max(599).optional(),
      expect: z.enum(['allow', 'deny']).default('allow'),
      deadline: deadline.prefault(DEFAULT_DEADLINE),
      /** Runs only where the `from` endpoint lives; `nodes` narrows that further (a check kept off some nodes). */
      nodes: z.array(objectName).min(1).optional(),
    })
    .superRefine((s, ctx) => {
      const onService = s.to.service !== undefined;
      if (s.probe === 'icmp' && (s.port !== undefined || onService))
        ctx.addIssue({
          code: 'custom',
          message: 'an icmp probe has no port (and cannot target a service)',
          path: s.port !== undefined ? ['port'] : ['to', 'service'],
        });
      if (s.probe !== 'icmp' && !onService && s.port === undefined)
        ctx.addIssue({
          code: 'custom',
          message: `a ${s.probe} probe of an endpoint or address needs a port`,
          path: ['port'],
        });
      if (onService && s.port !== undefined)
        ctx.addIssue({ code: 'custom', message: 'a service target takes its port in to.port', path: ['port'] });
      if (onService && s.to.port === undefined)
        ctx.addIssue({
          code: 'custom',
          message: 'a service target needs to.port (the service port, by number or name)',
          path: ['to', 'port'],
        });
      for (const field of ['path', 'status'] as const)
        if (s.probe !== 'http' && s[field] !== undefined)
          ctx.addIssue({ code: 'custom', message: `${field} applies to http probes only`, path: [field] });
    }),
);
export type HealthCheckSpec = z.infer<typeof healthCheckSpec>;
