// Bundles the CLI (src/cli/main.ts and what it imports, zod, yaml, commander,
// ignore and p-queue included) into one CommonJS file, dist/bundle/cli.cjs,
// and warms a V8 code cache for it (dist/bundle/cli.cjs.cache) by running
// `validate` on the example repository once. bin/gitwire.js runs the bundle
// from that cache: Node then neither resolves ~370 modules nor compiles zod
// and yaml at every start (Node 20 has no module compile cache of its own).
// Packages with native code, data files or dynamic requires (koffi, etcd3,
// isomorphic-git, cdk8s, …) stay external and load from node_modules.
import { execFileSync } from 'node:child_process';
import process from 'node:process';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
const BUNDLED = new Set(['zod', 'yaml', 'commander', 'ignore', 'p-queue']);
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name));

// A source file finds files beside the repository (the BPF object, bin/,
// examples/) relative to its own module; in the bundle, each file gets the
// URL its tsc output has in dist/, resolved against the bundle's own.
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const asBuilt = relative(outdir, join(root, 'dist', relative(join(root, 'src'), args.path)))
        .replace(/\.ts$/, '.js')
        .split('\\')
        .join('/');
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(asBuilt)}, import.meta.url).href`),
        loader: 'ts',
      };
    });
  },
};

// zod re-exports every locale it ships (260 kB of the bundle); gitwire's
// messages are zod's English ones, so only that one is kept.
const englishOnlyZod = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[/\\]zod[/\\]/.test(args.importer)
        ? { path: join(args.importer, '../../locales/en.js'), namespace: 'zod-en' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: root,
    }));
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile: join(outdir, 'cli.cjs'),
  bundle: true,
  minify: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [ownUrl, englishOnlyZod],
  // CommonJS has no import.meta: the bundle's own URL stands for it.
  define: { 'import.meta.url': 'gwBundleUrl' },
  banner: { js: "const gwBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});

// One run fills the code cache with what a command compiles; stdout is not wanted.
execFileSync(process.execPath, [join(root, 'bin/gitwire.js'), 'validate', '--repo', join(root, 'examples/repo')], {
  env: { ...process.env, GITWIRE_WRITE_CODE_CACHE: '1' },
  stdio: 'ignore',
});
