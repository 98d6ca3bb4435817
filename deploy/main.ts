// Deployment manifests for the gitwire agent, authored with gitwire's own constructs.
// `gitwire synth --repo deploy --app 'npx tsx main.ts'` writes them; `--check` fails when they are stale.
import { fileURLToPath } from 'node:url';
import { GitwireAgent, GitwireApp, ManifestFile, TextFile, agentSystemdUnit } from '../src/cdk8s/index.js';

/** Edit these for your cluster, then synth. */
const SETTINGS = {
  image: 'gitwire:0.1.0',
  repo: 'https://git.example.com/network/gitwire-config.git',
  rev: 'main',
  namespace: 'kube-system',
};

const app = new GitwireApp({
  repoRoot: fileURLToPath(new URL('.', import.meta.url)),
  validate: false,
  // gitwire's own Prettier style, so `prettier --check .` accepts the generated YAML.
  singleQuote: true,
});

const cluster = new ManifestFile(app, 'kubernetes', {
  file: 'kubernetes/gitwire-agent.yaml',
  comment: 'The gitwire agent on every node: kubectl apply -f deploy/kubernetes/gitwire-agent.yaml',
});
new GitwireAgent(cluster, 'agent', {
  image: SETTINGS.image,
  repo: SETTINGS.repo,
  rev: SETTINGS.rev,
  namespace: SETTINGS.namespace,
});

new TextFile(app, 'systemd', {
  file: 'systemd/gitwire-agent.service',
  content: agentSystemdUnit({ repo: SETTINGS.repo, rev: SETTINGS.rev }),
  comment: 'For hosts without Kubernetes: install as /etc/systemd/system/gitwire-agent.service.',
});

app.synth();
