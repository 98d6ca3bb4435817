import type { BackendValue, Entry, MaglevValue, RevnatValue, ServiceType, ServiceValue } from '../../desired-state.js';
import { allocateByHash } from '../../identity/index.js';
import type { NodeInfo } from '../cluster-view.js';
import { entry } from '../sorted-entries.js';
import type { Warnings } from '../warnings.js';
import { frontendKey } from '../../kinds/index.js';
import { REVNAT_RANGE } from './compile-service-program.js';
import type { ServicePortPlan, ServiceProgram } from './service-program.js';

export interface NodeServices {
  readonly service: Entry<ServiceValue>[];
  readonly backend: Entry<BackendValue>[];
  readonly revnat: Entry<RevnatValue>[];
  readonly maglev: Entry<MaglevValue>[];
}

/** Load-balancer entries of one node: every Service's frontends, NodePorts on this node's address. */
export function compileNodeServices(program: ServiceProgram, node: NodeInfo, warnings: Warnings): NodeServices {
  const frontends: Frontend[] = [];
  for (const plan of program.ports) {
    frontends.push(...clusterFrontends(plan));
    if (plan.nodePort !== null) frontends.push(fe(plan, node.address, plan.nodePort, 'NodePort'));
  }
  return frontendEntries(program, frontends, warnings);
}

/** The frontends every node has (ClusterIP, ExternalIP), in the order compileNodeServices visits them. */
export function sharedFrontends(program: ServiceProgram): Frontend[] {
  return program.ports.flatMap(clusterFrontends);
}

/** This node's NodePort frontends, in the order compileNodeServices visits them. */
export function nodePortFrontends(program: ServiceProgram, node: NodeInfo): Frontend[] {
  return program.ports.flatMap((plan) =>
    plan.nodePort === null ? [] : [fe(plan, node.address, plan.nodePort, 'NodePort')],
  );
}

function clusterFrontends(plan: ServicePortPlan): Frontend[] {
  const out = plan.clusterIP ? [fe(plan, plan.clusterIP, plan.port, 'ClusterIP')] : [];
  for (const ip of plan.externalIPs) out.push(fe(plan, ip, plan.port, 'ExternalIP'));
  return out;
}

/** The entries of these frontends; the first one of a key wins, later ones are warned about. */
export function frontendEntries(
  program: ServiceProgram,
  frontends: readonly Frontend[],
  warnings: Warnings,
): NodeServices {
  const nodeOnly = frontends.filter((f) => !program.revNat.has(f.key)).map((f) => f.key);
  const local = allocateByHash(nodeOnly, REVNAT_RANGE, new Set(program.revNat.values()));

  const service = new Map<string, Entry<ServiceValue>>();
  const revnat: Entry<RevnatValue>[] = [];
  const maglev: Entry<MaglevValue>[] = [];
  const backendIds = new Set<number>();
  for (const f of frontends) {
    if (service.has(f.key)) {
      warnings.add(
        'W_SERVICE_FRONTEND_CONFLICT',
        f.plan.decl.source,
        `spec.ports[${f.plan.portIndex}]`,
        `frontend ${f.key} is already used by service ${service.get(f.key)!.label}; ignored`,
      );
      continue;
    }
    const index = program.revNat.get(f.key) ?? local.get(f.key)!;
    service.set(
      f.key,
      entry(
        f.key,
        {
          address: f.address,
          port: f.port,
          protocol: f.plan.protocol,
          type: f.type,
          backendIds: f.plan.slots,
          revNatIndex: index,
          algorithm: f.plan.algorithm,
          affinityTimeout: f.plan.affinityTimeout,
          // Only traffic from outside has a client to answer directly; a ClusterIP frontend stays plain.
          mode: f.type === 'ClusterIP' ? 'snat' : f.plan.mode,
        },
        f.plan.service,
      ),
    );
    revnat.push(entry(String(index), { index, address: f.address, port: f.port }, f.plan.service));
    if (f.plan.maglev) {
      maglev.push(
        entry(
          String(index),
          { revNatIndex: index, tableSize: program.maglevTableSize, table: f.plan.maglev },
          f.plan.service,
        ),
      );
    }
    for (const b of f.plan.backends) backendIds.add(b.id);
  }
  // Numeric order is the key order of these all-digit keys; sorting ids first leaves sortEntries one pass.
  const backend = Array.from(Uint32Array.from(backendIds).sort(), (id) => {
    const b = program.backends.get(id)!;
    return entry(String(id), b, `${b.address}:${b.port}`);
  });
  return { service: [...service.values()], backend, revnat, maglev };
}

export interface Frontend {
  readonly key: string;
  readonly plan: ServicePortPlan;
  readonly address: string;
  readonly port: number;
  readonly type: ServiceType;
}

function fe(plan: ServicePortPlan, address: string, port: number, type: ServiceType): Frontend {
  return { key: frontendKey(address, port, plan.protocolName), plan, address, port, type };
}
