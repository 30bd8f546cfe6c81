// Bundles the extension into dist/extension.js (one file, vscode-jsonrpc inside, `vscode` left to the
// host). With --tests, bundles each test/unit/*.test.ts into out/test/ with `vscode` replaced by the
// mock in test/mocks/vscode.ts, so node's test runner runs them without a VS Code.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

// jsonc-parser's "main" is a UMD build whose require()s of its own files esbuild cannot follow; its
// "module" (ES modules) bundles cleanly. Packages without "module" (vscode-jsonrpc) are unaffected.
const mainFields = ['module', 'main'];

const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');

if (tests) {
  rmSync('out/test', { recursive: true, force: true });
  const entries = readdirSync('test/unit').filter((f) => f.endsWith('.test.ts')).map((f) => `test/unit/${f}`);
  await esbuild.build({
    entryPoints: entries,
    outdir: 'out/test',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    alias: { vscode: './test/mocks/vscode.ts' },
    mainFields,
    logLevel: 'warning',
  });
} else {
  await esbuild.build({
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    mainFields,
    minify: production,
    sourcemap: !production,
    logLevel: 'warning',
  });
}
