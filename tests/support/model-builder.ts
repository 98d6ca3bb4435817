import type { z } from 'zod';
import type { SourceLocation } from '../../src/desired/diagnostics.js';
import type { Declared, Model, PolicyDeclaration, PolicyKind } from '../../src/desired/model.js';
import { ciliumRule } from '../../src/desired/schema/cilium-policy.js';
import {
  clusterSpec,
  endpointSpec,
  nodeSpec,
  serviceSpec,
  type ClusterSpec,
  type EndpointSpec,
  type NodeSpec,
  type ServiceSpec,
} from '../../src/desired/schema/gitwire-kinds.js';
import { healthCheckSpec, type HealthCheckSpec } from '../../src/desired/schema/health-check.js';

// Builds validated Models in memory for tests. Specs go through the real zod
// schemas, so defaults are the ones a repository would get.

type Input<S extends z.ZodType> = z.input<S>;
type EndpointOptions = Partial<Input<typeof endpointSpec>> & {
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
};

export class ModelBuilder {
  private line = 1;
  private clusterDecl: Declared<ClusterSpec> | null = null;
  private readonly nodeDecls: Declared<NodeSpec>[] = [];
  private readonly endpointDecls: Declared<EndpointSpec>[] = [];
  private readonly serviceDecls: Declared<ServiceSpec>[] = [];
  private readonly policyDecls: PolicyDeclaration[] = [];
  private readonly healthCheckDecls: Declared<HealthCheckSpec>[] = [];

  constructor(private readonly revision: string | null = 'test') {}

  cluster(spec: Partial<Input<typeof clusterSpec>> = {}, name = 'default'): this {
    const full = { clusterCIDR: '10.0.0.0/16', serviceCIDR: '10.96.0.0/16', ...spec };
    this.clusterDecl = this.declared('Cluster', name, null, {}, clusterSpec.parse(full));
    return this;
  }

  node(name: string, address: string, podCIDR: string, labels: Record<string, string> = {}): this {
    this.nodeDecls.push(this.declared('Node', name, null, labels, nodeSpec.parse({ address, podCIDR })));
    return this;
  }

  endpoint(name: string, node: string, opts: EndpointOptions = {}): this {
    const { namespace = 'default', labels = {}, ...spec } = opts;
    this.endpointDecls.push(this.declared('Endpoint', name, namespace, labels, endpointSpec.parse({ ...spec, node })));
    return this;
  }

  service(name: string, spec: Input<typeof serviceSpec>, namespace = 'default'): this {
    this.serviceDecls.push(this.declared('Service', name, namespace, {}, serviceSpec.parse(spec)));
    return this;
  }

  /** A CiliumNetworkPolicy (namespace given) or CiliumClusterwideNetworkPolicy (namespace null). */
  policy(
    name: string,
    rules: Input<typeof ciliumRule> | Input<typeof ciliumRule>[],
    namespace: string | null = 'default',
  ): this {
    const kind: PolicyKind = namespace === null ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
    const source = this.next();
    const list = Array.isArray(rules) ? rules : [rules];
    this.policyDecls.push({
      kind,
      name,
      namespace,
      source,
      rules: list.map((r, i) => ({
        rule: ciliumRule.parse(r),
        path: Array.isArray(rules) ? `specs[${i}]` : 'spec',
        source: { file: source.file, line: source.line + 1 },
      })),
    });
    return this;
  }

  healthCheck(name: string, spec: Input<typeof healthCheckSpec>, namespace = 'default'): this {
    this.healthCheckDecls.push(this.declared('HealthCheck', name, namespace, {}, healthCheckSpec.parse(spec)));
    return this;
  }

  build(): Model {
    return {
      revision: this.revision,
      cluster: this.clusterDecl,
      nodes: [...this.nodeDecls],
      endpoints: [...this.endpointDecls],
      services: [...this.serviceDecls],
      policies: [...this.policyDecls],
      healthChecks: [...this.healthCheckDecls],
      warnings: [],
    };
  }

  private declared<S>(
    kind: string,
    name: string,
    namespace: string | null,
    labels: Record<string, string>,
    spec: S,
  ): Declared<S> {
    return { kind, name, namespace, labels, spec, source: this.next() };
  }

  private next(): SourceLocation {
    const source = { file: 'model.yaml', line: this.line };
    this.line += 10;
    return source;
  }
}

/** Two nodes with /24 pod CIDRs in a tunnel-mode cluster: the usual starting point. */
export function twoNodeCluster(spec: Partial<Input<typeof clusterSpec>> = {}): ModelBuilder {
  return new ModelBuilder()
    .cluster(spec)
    .node('n1', '192.168.1.1', '10.0.1.0/24')
    .node('n2', '192.168.1.2', '10.0.2.0/24');
}
