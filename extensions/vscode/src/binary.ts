// Which `dlcontainer` binary the extension starts: the one the user set, else the first on PATH, else
// the one packaged beside the extension (bin/dlcontainer in the .vsix, when a build bundles it).
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface BinaryChoice {
  path: string;
  source: 'setting' | 'PATH' | 'bundled';
}

export interface FindOptions {
  setting?: string;
  pathEnv?: string;
  extensionDir: string;
  isExecutable?: (file: string) => boolean;
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export class BinaryNotFoundError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function findServerBinary(opts: FindOptions): BinaryChoice {
  const executable = opts.isExecutable ?? isExecutableFile;
  const setting = opts.setting?.trim();
  if (setting) {
    // A setting that points nowhere is an error, not a reason to quietly run another binary.
    if (!executable(setting)) {
      throw new BinaryNotFoundError(
        `dlcontainer.serverPath is set to ${setting}, which is not an executable file`,
        'fix the setting "dlcontainer.serverPath", or clear it to use dlcontainer from PATH',
      );
    }
    return { path: setting, source: 'setting' };
  }
  for (const dir of (opts.pathEnv ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'dlcontainer');
    if (executable(candidate)) return { path: candidate, source: 'PATH' };
  }
  const bundled = path.join(opts.extensionDir, 'bin', 'dlcontainer');
  if (executable(bundled)) return { path: bundled, source: 'bundled' };
  throw new BinaryNotFoundError(
    'the dlcontainer binary was not found (not set in dlcontainer.serverPath, not on PATH, not bundled)',
    'install dlcontainer (scripts/setup.sh builds build/server/dlcontainer) and set "dlcontainer.serverPath" to it, or put it on PATH',
  );
}
