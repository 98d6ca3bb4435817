import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Regular files under `root`, as `/`-separated relative paths, sorted. Hidden
 * entries and node_modules are skipped, as the configuration loader skips them.
 */
export function walkFiles(root: string, keep: (path: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const visit = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) visit(join(dir, entry.name), rel);
      else if (entry.isFile() && keep(rel)) out.push(rel);
    }
  };
  visit(root, '');
  return out.sort();
}

export const isYamlPath = (path: string): boolean => /\.ya?ml$/i.test(path);
