import type { FieldPath } from '../../load/index.js';
import type { LabelSelector } from '../../schema/meta.js';
import { ValidateCode } from '../validate-codes.js';
import type { Reporter } from './reporter.js';

/** matchExpressions as Kubernetes defines them: In/NotIn need values, Exists/DoesNotExist take none. */
export function checkLabelSelector(sel: LabelSelector | null | undefined, path: FieldPath, r: Reporter): void {
  (sel?.matchExpressions ?? []).forEach((req, i) => {
    const at = [...path, 'matchExpressions', i];
    const n = req.values?.length ?? 0;
    if ((req.operator === 'In' || req.operator === 'NotIn') && n === 0) {
      r.error(ValidateCode.labelSelector, [...at, 'values'], `operator ${req.operator} needs at least one value`);
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && n > 0) {
      r.error(ValidateCode.labelSelector, [...at, 'values'], `operator ${req.operator} takes no values`);
    }
  });
}
