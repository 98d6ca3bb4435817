// Bundles the CLI (src/cli/main.ts and what it imports, zod, yaml and
// commander included) into dist/bundle/, one chunk per lazily imported
// command: Node then resolves and compiles a handful of files instead of ~370
// modules at every start (bin/gitwire.js runs it). Packages with native code,
// data files or dynamic requires (koffi, etcd3, isomorphic-git, cdk8s, …)
// stay external and load from node_modules as before.
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
const BUNDLED = new Set(['zod', 'yaml', 'commander', 'ignore']);
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name));

// A source file finds files beside the repository (the BPF object, bin/,
// examples/) relative to its own module; in a chunk, import.meta.url is the
// chunk's, so each file gets the URL its tsc output has in dist/.
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const asBuilt = relative(outdir, join(root, 'dist', relative(join(root, 'src'), args.path))).replace(
        /\.ts$/,
        '.js',
      );
      const url = `new URL(${JSON.stringify(asBuilt.split('\\').join('/'))}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

// Chunk names carry content hashes: a rebuild must not leave the old ones beside the new.
await rm(outdir, { recursive: true, force: true });
// zod re-exports every locale it ships (260 kB of the bundle, parsed at every
// start); gitwire's messages are zod's English ones, so only that one is kept.
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

await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  outdir,
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [ownUrl, englishOnlyZod],
  // CommonJS packages in the bundle (commander) require Node's built-ins.
  banner: {
    js: "import { createRequire as gwCreateRequire } from 'node:module'; const require = gwCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
