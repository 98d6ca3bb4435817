// Bundles the CLI (src/cli/main.ts and what it imports, zod, yaml, commander,
// ignore and p-queue included) into CommonJS files in dist/bundle, and warms
// a V8 code cache for each (<name>.cjs.cache) by running a command once.
// bin/gitwire.js runs a bundle from its cache: Node then neither resolves
// ~370 modules nor compiles zod and yaml at every start (Node 20 has no module
// compile cache of its own). Two bundles: cli.cjs with every command, and
// validate.cjs with `validate` alone (and the root help), for the starts that
// must be cheapest. Packages with native code, data files or dynamic requires
// (koffi, etcd3, isomorphic-git, cdk8s, …) stay external and load from
// node_modules.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
const BUNDLED = new Set(['zod', 'yaml', 'commander', 'ignore', 'p-queue']);
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name));
const example = join(root, 'examples/repo');

/** The bundles, and the command that fills each one's code cache (stdout is not wanted). */
const BUNDLES = [
  { name: 'cli', warm: ['plan', '--repo', example, '--node', 'node-1'] },
  { name: 'validate', only: 'validate', warm: ['validate', '--repo', example] },
];

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

// Built-in modules that cost a millisecond or two to load and that many starts
// never use (commander holds child_process for executable subcommands; crypto
// is imported wherever a hash may be computed, `compile --help` included):
// each becomes a module whose exports load the real one on first use. Their
// names are this Node's, the one the cache is built for.
const LAZY_BUILTINS = ['node:child_process', 'node:crypto'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_BUILTINS.join('|')})$`);
    b.onResolve({ filter }, (args) =>
      args.namespace === 'lazy-builtin' ? undefined : { path: args.path, namespace: 'lazy-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const names = Object.keys(createRequire(import.meta.url)(args.path));
      return {
        contents:
          `let real;\nconst load = () => (real ??= require(${JSON.stringify(args.path)}));\n` +
          `for (const name of ${JSON.stringify(names)})\n` +
          '  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });\n',
        loader: 'js',
      };
    });
  },
};

// In a bundle of one command, the others' modules throw when loaded: bin/gitwire.js
// sends their invocations to cli.cjs, so reaching one is a routing mistake.
const onlyCommand = (only) => ({
  name: 'only-command',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) =>
      args.path === `./commands/${only}.js` ? undefined : { path: args.path, namespace: 'other-command' },
    );
    b.onLoad({ filter: /.*/, namespace: 'other-command' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not in the ${only} bundle`)});`,
      loader: 'js',
    }));
  },
});

await rm(outdir, { recursive: true, force: true });
for (const { name, only, warm } of BUNDLES) {
  await build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: join(outdir, `${name}.cjs`),
    bundle: true,
    minify: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external,
    plugins: [ownUrl, englishOnlyZod, lazyBuiltins, ...(only ? [onlyCommand(only)] : [])],
    // CommonJS has no import.meta: the bundle's own URL stands for it.
    define: { 'import.meta.url': 'gwBundleUrl' },
    banner: { js: "const gwBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
  // One run fills the code cache with what the command compiles.
  const run = spawnSync(process.execPath, [join(root, 'bin/gitwire.js'), ...warm], {
    env: { ...process.env, GITWIRE_WRITE_CODE_CACHE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`gitwire ${warm.join(' ')}: exit ${run.status}\n${run.stderr}`);
}
