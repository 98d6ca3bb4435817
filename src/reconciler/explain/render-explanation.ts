import type { RuleRef } from '../../desired/index.js';
import type { DefaultDenySource, FlowExplanation, FlowPath, SideVerdict } from './flow-explanation.js';

/** The explanation as a person reads it: the verdict, then each side with the rule and its file:line. */
export function renderExplanationText(x: FlowExplanation): string {
  const lines = [
    `${x.from} → ${x.to} ${x.protocol}/${x.port} at ${x.revision ?? 'working tree'}: ${x.allowed ? 'ALLOWED' : 'DROPPED'}`,
  ];
  if (x.service) {
    lines.push(`  ${x.service.type} service ${x.service.name} ${x.service.address}:${x.service.port}`);
    if (x.paths.length === 0) lines.push('  no backends: new connections are dropped (lb-no-backend)');
  }
  for (const p of x.paths) lines.push(...renderPath(p, x.service !== null));
  return lines.join('\n') + '\n';
}

export function renderExplanationJson(x: FlowExplanation): string {
  return JSON.stringify(x, null, 2) + '\n';
}

function renderPath(p: FlowPath, backend: boolean): string[] {
  const indent = backend ? '    ' : '  ';
  const head = backend
    ? [`  backend ${p.endpoint ?? p.address} ${p.address}:${p.port}: ${p.allowed ? 'allowed' : 'dropped'}`]
    : [];
  const ingress = p.ingress
    ? renderSide(p.ingress)
    : `ingress  ${p.address} is no endpoint of the cluster: no ingress policy of gitwire applies`;
  return [...head, `${indent}${renderSide(p.egress)}`, `${indent}${ingress}`];
}

function renderSide(s: SideVerdict): string {
  const who = `${s.direction.padEnd(8)} ${s.endpoint} on ${s.node}, peer ${s.peerAddress} (identity ${s.peerIdentity})`;
  return `${who}: ${sideReasonText(s)}${s.audited ? ' — audit mode: passes, reported as audit' : ''}`;
}

/** Why one side decides as it does, with the rule and its file:line (also used by the impact report). */
export function sideReasonText(s: SideVerdict): string {
  switch (s.reason) {
    case 'allowed':
      return `allowed by ${ruleText(s.rule)}`;
    case 'redirect':
      return `redirected to the L7 proxy by ${ruleText(s.rule)}`;
    case 'denied-policy':
      return `dropped by deny ${ruleText(s.rule)}`;
    case 'not-enforced':
      return `not enforced: no policy selects its ${s.direction}`;
    case 'denied-default':
      if (s.enforcementAlways) return 'dropped by default deny: the cluster sets policyEnforcement: always';
      return `dropped by default deny of ${s.defaultDenyBy.map(sourceText).join(', ')}`;
  }
}

function ruleText(r: RuleRef | null): string {
  if (!r) return 'an entry whose rule is not recorded';
  return `${r.kind} ${name(r)} ${r.path} at ${r.file}:${r.line}`;
}

function sourceText(d: DefaultDenySource): string {
  return `${d.kind} ${name(d)} ${d.path} at ${d.file}:${d.line}`;
}

const name = (r: { namespace: string | null; name: string }): string =>
  r.namespace === null ? r.name : `${r.namespace}/${r.name}`;
