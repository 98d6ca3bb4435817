const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses Go-style durations as Flux and Kubernetes write them (`30s`, `1m30s`, `500ms`) into milliseconds. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new RangeError(`invalid duration '${text}': expected e.g. 30s, 5m, 1m30s or 500ms`);
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
  if (ms <= 0) throw new RangeError(`invalid duration '${text}': must be more than zero`);
  return ms;
}
