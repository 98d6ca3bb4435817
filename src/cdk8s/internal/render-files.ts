import { ApiObject, Chart, type App } from 'cdk8s';
import { stringify } from 'yaml';
import type { IConstruct } from 'constructs';
import { ConstructError } from '../construct-error.js';
import { generatedHeader } from '../generated-header.js';
import { ManifestFile } from '../manifest-file.js';
import type { SynthesizedDocument, SynthesizedFile } from '../synthesized-file.js';
import { TextFile } from '../text-file.js';

export type RenderedFile = SynthesizedFile & { readonly constructPath: string };

/** cdk8s's own settings: YAML 1.1 quoting (so `yes`/`no` stay strings for any reader), no line folding. */
const YAML_OPTIONS = { version: '1.1', lineWidth: 0 } as const;

const lineCount = (text: string): number => text.split('\n').length - 1;

/** Renders every chart and text file of the app in construct order; two outputs may not share a path. */
export function renderFiles(app: App, singleQuote = false): RenderedFile[] {
  const files: RenderedFile[] = [];
  const owners = new Map<string, string>();
  for (const c of app.node.findAll()) {
    const file = c instanceof TextFile ? renderText(c) : Chart.isChart(c) ? renderChart(c, singleQuote) : null;
    if (!file) continue;
    const owner = owners.get(file.path);
    if (owner) throw new ConstructError(c.node.path, `writes "${file.path}", which ${owner} writes too`);
    owners.set(file.path, c.node.path);
    files.push(file);
  }
  return files;
}

function renderText(t: TextFile): RenderedFile {
  return { path: t.file, text: generatedHeader(t.comment) + t.content, documents: [], constructPath: t.node.path };
}

function renderChart(chart: Chart, singleQuote: boolean): RenderedFile {
  const file = ManifestFile.isManifestFile(chart) ? chart : null;
  const header = generatedHeader(file?.comment);
  // chart.toJson() runs the app's construct validations and orders documents by dependency.
  const docs: unknown[] = chart.toJson();
  const owners = chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart);
  const documents: SynthesizedDocument[] = [];
  const texts: string[] = [];
  let line = lineCount(header) + 1;
  for (const doc of docs) {
    const text = stringify(doc, { ...YAML_OPTIONS, singleQuote });
    documents.push({ line, constructPath: takeOwner(owners, doc)?.node.path ?? chart.node.path });
    texts.push(text);
    line += lineCount(text) + 1;
  }
  const path = file ? file.file : `${chart.node.id}.k8s.yaml`;
  return { path, text: header + texts.join('---\n'), documents, constructPath: chart.node.path };
}

/** The ApiObject that rendered `doc`, matched on apiVersion, kind, namespace and name and used once. */
function takeOwner(owners: ApiObject[], doc: unknown): IConstruct | undefined {
  const d = doc as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
  const i = owners.findIndex(
    (o) =>
      o.apiVersion === d.apiVersion &&
      o.kind === d.kind &&
      o.name === d.metadata?.name &&
      o.metadata.namespace === d.metadata?.namespace,
  );
  return i < 0 ? undefined : owners.splice(i, 1)[0];
}
