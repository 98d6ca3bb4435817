/**
 * Cilium hands method, path and host to Envoy as regexes that must match the
 * whole value, so `/v1/request-landing` does not match `/v1/request-landing/x`.
 * Returns null when the pattern is not a valid regular expression.
 */
export function anchoredRegex(pattern: string): string | null {
  const source = `^(?:${pattern})$`;
  try {
    new RegExp(source);
    return source;
  } catch {
    return null;
  }
}
