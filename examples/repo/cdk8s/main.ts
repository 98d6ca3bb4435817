// The example configuration's policies, as a cdk8s app. `gitwire synth --repo examples/repo`
// runs it (in the repository folder) and writes policies/**; `--check` fails when they are stale.
import { GitwireApp } from '../../../src/cdk8s/index.js';
import { kubeSystemPolicies } from './kube-system.js';
import { shopPolicies } from './shop.js';
import { starwarsPolicies } from './starwars.js';

const app = new GitwireApp();
kubeSystemPolicies(app);
shopPolicies(app);
starwarsPolicies(app);
app.synth();
