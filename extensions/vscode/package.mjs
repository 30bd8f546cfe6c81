// Builds dlcontainer.vsix: the production bundle, the README (images become links, since a .vsix
// carries no repository to resolve them against), and, with --bundle BINARY, that dlcontainer binary
// as bin/dlcontainer (the extension's last resort after the setting and PATH; a linux-x64 package then).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const bundleAt = args.indexOf('--bundle');
const binary = bundleAt >= 0 ? args[bundleAt + 1] : undefined;
const out = args.includes('-o') ? args[args.indexOf('-o') + 1] : 'dlcontainer.vsix';

execFileSync(process.execPath, ['esbuild.mjs', '--production'], { stdio: 'inherit' });

// Images and relative links point into the repository, which a .vsix does not carry: images become
// captions and links their text (the repository's path in brackets).
const readme = readFileSync('README.md', 'utf8')
  .replace(/!\[([^\]]*)\]\(([^)]+)\)/g, '*(screenshot: $1)*')
  .replace(/\[([^\]]+)\]\((?![a-z]+:)([^)]+)\)/g, '$1 (`$2` in the dlcontainer repository)');
mkdirSync('dist', { recursive: true });
writeFileSync('dist/README.md', readme);

rmSync('bin', { recursive: true, force: true });
const vsce = ['node_modules/@vscode/vsce/vsce', 'package', '--no-dependencies', '--skip-license',
  '--allow-missing-repository', '--readme-path', 'dist/README.md', '-o', out];
if (binary) {
  mkdirSync('bin');
  copyFileSync(binary, 'bin/dlcontainer');
  chmodSync('bin/dlcontainer', 0o755);
  vsce.push('--target', 'linux-x64');
}
try {
  execFileSync(process.execPath, vsce, { stdio: 'inherit' });
} finally {
  rmSync('bin', { recursive: true, force: true });
}
