import { existsSync } from 'node:fs';
import type { Command } from 'commander';

/** Where `ip netns` keeps named namespaces; a mount namespace `ip netns exec` makes still sees the machine's. */
const NETNS_DIR = '/run/netns';

/**
 * `--netns NAME` must name a namespace that exists: a usage error (exit 2)
 * before anything is opened or created, not a transient failure later.
 */
export function requireNetns(cmd: Command, name: string | undefined): void {
  if (name === undefined) return;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) {
    cmd.error(`error: --netns ${JSON.stringify(name)} is not a network namespace name`, { exitCode: 2 });
  }
  if (!existsSync(`${NETNS_DIR}/${name}`)) {
    cmd.error(
      `error: network namespace "${name}" does not exist (see \`ip netns list\`; create it with \`ip netns add ${name}\`)`,
      {
        exitCode: 2,
      },
    );
  }
}
