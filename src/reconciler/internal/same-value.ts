/**
 * Structural equality of plain data (what DesiredState values are): objects by
 * their own keys in any order, arrays element by element. Stops at the first
 * difference, so large arrays such as Maglev tables cost one pass at most.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const rb = b as Record<string, unknown>;
  const ra = a as Record<string, unknown>;
  for (const k of ka) if (!(k in rb) || !sameValue(ra[k], rb[k])) return false;
  return true;
}
