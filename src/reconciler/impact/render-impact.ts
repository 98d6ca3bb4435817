import { sideReasonText, type SideVerdict } from '../explain/index.js';
import { jsonVisible, markdownCode, markdownText, visible } from '../render/escape.js';
import type { FlippedFlow, ImpactPeer, ImpactReport, ObservedFlow, UnevaluatedFlow } from './impact-report.js';
import { PROTOCOL_NAMES } from './internal/flow-verdict.js';

/** Rows per Markdown table; the JSON report has every flow. */
const MARKDOWN_ROWS = 50;
const CLUSTER_LABEL = 'k8s:io.cilium.k8s.policy.cluster=';

/** The impact as a person reads it in a terminal: per node, newly dropped flows first, the last hour's flagged `!`. */
export function renderImpactText(r: ImpactReport): string {
  const out = [`Impact on real traffic of ${revs(r)}, flows seen in the last ${duration(r.sinceSeconds)}:`];
  for (const n of r.nodes) {
    if (!n.flowData.available) {
      out.push(`  ${n.node}: no flow data (${n.flowData.reason}); its impact is unknown`);
      continue;
    }
    out.push(`  ${n.node}: ${n.flowData.flows} flows (${n.flowData.events} events) observed`);
    out.push(`    ${dropHeadline(n.newlyDropped, r)}`, ...n.newlyDropped.flatMap(flowLines));
    out.push(`    ${allowHeadline(n.newlyAllowed)}`, ...n.newlyAllowed.flatMap(flowLines));
    if (n.unevaluated.length > 0) out.push(`    Not evaluated: ${n.unevaluated.length}`);
    for (const f of n.unevaluated) out.push(`      ${flowText(f)}: ${f.reason}`);
  }
  return out.map(visible).join('\n') + '\n';
}

/** The report as data: dates as ISO strings, and each verdict with explain's sides. */
export function renderImpactJson(r: ImpactReport): unknown {
  return JSON.parse(jsonVisible(JSON.stringify(r)));
}

/** The head of a pull-request comment: what the change would newly drop, the last hour's first, then what it would allow. */
export function renderImpactMarkdown(r: ImpactReport): string {
  const dropped = r.nodes.flatMap((n) => n.newlyDropped.map((f) => ({ node: n.node, f })));
  const allowed = r.nodes.flatMap((n) => n.newlyAllowed.map((f) => ({ node: n.node, f })));
  const recent = dropped.filter((d) => d.f.recent).length;
  const since = duration(r.sinceSeconds);
  const blind = r.nodes.filter((n) => !n.flowData.available).length;
  const out = ['## gitwire impact on real traffic', ''];
  if (blind === r.nodes.length) out.push('**No flow data: the impact on real traffic is unknown.**');
  else
    out.push(
      (dropped.length === 0
        ? `Would newly drop **no** flow seen in the last ${since}`
        : `**Would newly drop ${count(dropped.length, 'flow')} seen in the last ${since}**` +
          (recent > 0 ? ` — **${recent} of them in the last hour**` : '')) +
        (blind > 0 ? ` (**${blind} of ${r.nodes.length} nodes have no flow data: impact unknown**).` : '.'),
    );
  out.push('', `Would newly allow ${allowed.length === 0 ? 'no flow' : count(allowed.length, 'flow')}.`, '');
  for (const n of r.nodes) {
    if (n.flowData.available)
      out.push(`- ${markdownText(n.node)}: ${count(n.flowData.flows, 'flow')} observed, ${n.flowData.events} events`);
    else out.push(`- ${markdownText(n.node)}: **no flow data** (${markdownText(n.flowData.reason)}): impact unknown`);
  }
  out.push('');
  if (dropped.length > 0) out.push('### Newly dropped', '', ...table(dropped, 'why'), '');
  if (allowed.length > 0) out.push('### Newly allowed', '', ...table(allowed, 'why'), '');
  const unevaluated = r.nodes.flatMap((n) => n.unevaluated.map((f) => ({ node: n.node, f })));
  if (unevaluated.length > 0) {
    out.push(`<details><summary>${count(unevaluated.length, 'flow')} not evaluated</summary>`, '');
    for (const { node, f } of unevaluated.slice(0, MARKDOWN_ROWS))
      out.push(`- ${markdownText(node)}: ${markdownText(flowText(f))}: ${markdownText(f.reason)}`);
    out.push('', '</details>', '');
  }
  return out.join('\n') + '\n';
}

function table(rows: readonly { node: string; f: FlippedFlow }[], why: string): string[] {
  const out = [`| | node | from | to | port | events | last seen | ${why} |`, '|---|---|---|---|---|---:|---|---|'];
  for (const { node, f } of rows.slice(0, MARKDOWN_ROWS)) {
    const cells = [
      f.recent ? '**last hour**' : '',
      markdownText(node),
      markdownText(peerText(f.source)),
      markdownText(peerText(f.destination)),
      markdownCode(portText(f)),
      String(f.count),
      f.lastSeen.toISOString(),
      markdownText(reasons(f).join('; ')),
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  if (rows.length > MARKDOWN_ROWS)
    out.push('', `… and ${rows.length - MARKDOWN_ROWS} more (\`--output json\` lists all).`);
  return out;
}

function flowLines(f: FlippedFlow): string[] {
  const head = `${f.recent ? '!' : ' '}   ${flowText(f)}: ${f.count} events, last seen ${f.lastSeen.toISOString()}`;
  return [`    ${head}`, ...reasons(f).map((r) => `          ${r}`)];
}

/** Behind the new verdict: the sides that drop it, or every side that lets it through. */
function reasons(f: FlippedFlow): string[] {
  const sides = f.after.allowed ? f.after.sides : f.after.sides.filter((s) => !s.passes);
  return sides.map(sideText);
}

function sideText(s: SideVerdict): string {
  return `${s.direction} of ${s.endpoint} on ${s.node}: ${sideReasonText(s)}${s.audited ? ' (audit mode: passes)' : ''}`;
}

function flowText(f: ObservedFlow | UnevaluatedFlow): string {
  return `${peerText(f.source)} → ${peerText(f.destination)} ${portText(f)}`;
}

/** Endpoint names when the identity has endpoints, else its labels (a CIDR, a reserved name), else the bare number. */
function peerText(p: ImpactPeer): string {
  if (p.endpoints.length > 0)
    return p.endpoints.length > 3
      ? `${p.endpoints.slice(0, 3).join(', ')} +${p.endpoints.length - 3}`
      : p.endpoints.join(', ');
  if (p.labels) return p.labels.filter((l) => !l.startsWith(CLUSTER_LABEL)).join(',');
  return `identity ${p.identity}`;
}

const portText = (f: ObservedFlow): string => `${PROTOCOL_NAMES[f.protocol] ?? `proto ${f.protocol}`}/${f.port}`;

function dropHeadline(flows: readonly FlippedFlow[], r: ImpactReport): string {
  if (flows.length === 0) return `Would newly drop no flow seen in the last ${duration(r.sinceSeconds)}.`;
  const recent = flows.filter((f) => f.recent).length;
  return `Would newly drop ${count(flows.length, 'flow')}${recent > 0 ? ` (${recent} seen in the last hour, marked !)` : ''}:`;
}

const allowHeadline = (flows: readonly FlippedFlow[]): string =>
  flows.length === 0 ? 'Would newly allow no flow.' : `Would newly allow ${count(flows.length, 'flow')}:`;

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

function revs(r: ImpactReport): string {
  const short = (x: string | null) => (x === null ? 'the working tree' : /^[0-9a-f]{40}$/.test(x) ? x.slice(0, 12) : x);
  return `${short(r.from)} → ${short(r.to)}`;
}

/** `86400` as `24h`, `90` as `90s`: as the flag is usually written. */
function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
