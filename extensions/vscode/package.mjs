// Builds the .vsix: the production bundle, the README (images become captions, since a .vsix carries no
// repository to resolve them against), and, for a platform, the dlcontainer server inside it.
//
//   npm run package                                   dlcontainer.vsix: any platform, the server found
//                                                     on PATH or in the setting
//   npm run package -- --target linux-x64 [--binary PATH/dlcontainer] [-o FILE]
//                                                     dlcontainer-linux-x64.vsix (vsce --target): the
//                                                     portable server as bin/dlcontainer and its agent as
//                                                     lib/dlcontainer/dlcontainer-agent, the layout the
//                                                     server looks for it in (the extension's last resort
//                                                     after the setting and PATH: src/binary.ts)
//
// --binary defaults to the portable build's (packaging/portable/build.sh: build-portable/server/);
// a binary that is not a portable build is refused, since the .vsix runs on other systems than this one.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const args = process.argv.slice(2);
const value = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const known = new Set(['--target', '--binary', '-o']);
for (let i = 0; i < args.length; i += 2) {
  if (!known.has(args[i])) {
    console.error(`package.mjs: unknown argument ${args[i]} (takes --target linux-x64, --binary PATH, -o FILE)`);
    process.exit(2);
  }
}
const target = value('--target');
if (target !== undefined && target !== 'linux-x64') {
  console.error(`package.mjs: no server is built for ${target}; the targets are: linux-x64`);
  process.exit(2);
}
const out = value('-o') ?? (target ? `dlcontainer-${target}.vsix` : 'dlcontainer.vsix');

// The portable server and its agent, checked before anything is built.
let server;
if (target) {
  const binary = path.resolve(value('--binary') ?? '../../build-portable/server/dlcontainer');
  if (!existsSync(binary)) {
    console.error(`package.mjs: no server at ${binary}: build it with packaging/portable/build.sh, or pass --binary`);
    process.exit(1);
  }
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (!/portable linux-x64/.test(version)) {
    console.error(`package.mjs: ${binary} is not a portable build ("${version}"): a ${target} .vsix runs on other systems than this one`);
    process.exit(1);
  }
  const dir = path.dirname(binary);
  const agent = [path.join(dir, 'dlcontainer-agent'), path.join(dir, '..', 'lib', 'dlcontainer', 'dlcontainer-agent')].find((p) => existsSync(p));
  if (!agent) {
    console.error(`package.mjs: no dlcontainer-agent beside ${binary} or in ../lib/dlcontainer/`);
    process.exit(1);
  }
  server = { binary, agent, version };
}

execFileSync(process.execPath, ['esbuild.mjs', '--production'], { stdio: 'inherit' });

const readme = readFileSync('README.md', 'utf8')
  .replace(/!\[([^\]]*)\]\(([^)]+)\)/g, '*(screenshot: $1)*')
  .replace(/\[([^\]]+)\]\((?![a-z]+:)([^)]+)\)/g, '$1 (`$2` in the dlcontainer repository)');
mkdirSync('dist', { recursive: true });
writeFileSync('dist/README.md', readme);

const bundled = ['bin', 'lib'];
bundled.forEach((d) => rmSync(d, { recursive: true, force: true }));
const vsce = ['node_modules/@vscode/vsce/vsce', 'package', '--no-dependencies', '--skip-license',
  '--allow-missing-repository', '--readme-path', 'dist/README.md', '-o', out];
if (server) {
  mkdirSync('bin');
  mkdirSync('lib/dlcontainer', { recursive: true });
  copyFileSync(server.binary, 'bin/dlcontainer');
  copyFileSync(server.agent, 'lib/dlcontainer/dlcontainer-agent');
  chmodSync('bin/dlcontainer', 0o755);
  chmodSync('lib/dlcontainer/dlcontainer-agent', 0o755);
  vsce.push('--target', target);
  console.log(`bundling ${server.version}`);
}
try {
  execFileSync(process.execPath, vsce, { stdio: 'inherit' });
} finally {
  bundled.forEach((d) => rmSync(d, { recursive: true, force: true }));
}
