#!/usr/bin/env node
// `pnpm setup:gpu`: build gpu.js's native headless-gl binding (`gl`) from source, on request.
//
// The default install does not build it (pnpm-workspace.yaml sets `allowBuilds: gl: false`): the
// build needs apt packages most users do not have, and its failure printed ~25 lines of `gyp ERR!`
// that read as a failed install. The GPU suite of @ssam/tensor-gpu skips, naming the reason, until
// this has run. It needs `apt-get install libxi-dev xvfb` (gl's X11 headers, and a virtual display
// to run under) and Node's headers, which Debian's nodejs puts in /usr.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fromGpuJs = createRequire(createRequire(join(root, 'packages/tensor-gpu/package.json')).resolve('gpu.js'));
const glDir = dirname(fromGpuJs.resolve('gl/package.json'));
const nodeGyp = createRequire(join(glDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js');

const pkgConfig = spawnSync('pkg-config', ['--exists', 'x11', 'xi', 'xext']);
if (pkgConfig.status !== 0) {
  console.error('setup:gpu: the X11 headers for gl are missing; run `apt-get install -y libxi-dev xvfb` first.');
  process.exit(2);
}
const nodedir = process.env.npm_config_nodedir ?? (existsSync('/usr/include/node/node.h') ? '/usr' : undefined);
console.log(`setup:gpu: building gl in ${glDir} (a minute or two)`);
const env = { ...process.env, JOBS: process.env.JOBS ?? 'max', ...(nodedir ? { npm_config_nodedir: nodedir } : {}) };
const build = spawnSync(process.execPath, [nodeGyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], {
  cwd: glDir,
  env,
  encoding: 'utf8',
});
if (build.status !== 0) {
  process.stderr.write(build.stdout + build.stderr);
  console.error(`setup:gpu: the gl build failed (exit ${build.status}); its log is above.`);
  process.exit(1);
}
const check = spawnSync(process.execPath, ['-e', "require('gl')(1, 1) ? 0 : process.exit(3)"], { cwd: glDir, encoding: 'utf8' });
console.log(
  check.status === 0
    ? 'setup:gpu: gl is built and opens a context.'
    : 'setup:gpu: gl is built; it needs an X display to open a context (run under `xvfb-run -a`, as `pnpm test` does).',
);
