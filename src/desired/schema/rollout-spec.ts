import { z } from 'zod';
import { labelMap, objectName } from './meta.js';

/** Go-style durations (`30s`, `1m30s`, `0s`): how long the coordinator waits between waves. */
const duration = z.string().regex(/^(\d+(ms|s|m|h))+$/, 'must be a duration like 30s, 5m, 1m30s or 0s');

const wave = z
  .strictObject({
    nodes: z.array(objectName).min(1).optional(),
    selector: z.strictObject({ matchLabels: labelMap }).optional(),
    percent: z.number().int().min(1).max(100).optional(),
  })
  .refine((w) => [w.nodes, w.selector, w.percent].filter((x) => x !== undefined).length === 1, {
    message: 'a wave names exactly one of nodes, selector or percent',
  });
export type RolloutWaveSpec = z.infer<typeof wave>;

/**
 * How a new commit reaches the nodes: wave by wave, at most `maxUnavailable`
 * nodes of a wave updating at once, `pause` between waves. Absent: every node
 * applies a new commit as soon as it sees it.
 */
export const rolloutSpec = z.strictObject({
  waves: z.array(wave).min(1),
  maxUnavailable: z
    .union([z.number().int().min(1), z.string().regex(/^([1-9]\d?|100)%$/, 'must be a percentage from 1% to 100%')])
    .optional(),
  pause: duration.default('0s'),
});
export type RolloutSpec = z.infer<typeof rolloutSpec>;
