// Installs each published @ssam package ALONE from its `pnpm pack` tarball into a fresh folder
// outside the workspace, as a user would, imports it, and runs its README's first example there.
// Its @ssam dependencies come from their own tarballs (npm `overrides`), everything else from the
// npm registry; nothing resolves into the monorepo. Used by tools/pack.test.ts; also a command:
//   node --import tsx tools/pack-check.ts [package ...]
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly bin?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

/** The publishable workspace packages, by folder name. */
export function publishedPackages(): string[] {
  return readdirSync(path.join(root, 'packages')).filter((dir) => {
    try {
      return !(JSON.parse(readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest).private;
    } catch {
      return false;
    }
  });
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
}

/** `pnpm pack` of every published package into `dest`; returns name → tarball path. */
export function packAll(dest: string): Map<string, string> {
  const tarballs = new Map<string, string>();
  for (const dir of publishedPackages()) {
    const out = execFileSync('pnpm', ['pack', '--pack-destination', dest], { cwd: path.join(root, 'packages', dir), encoding: 'utf8' });
    const file = out.trim().split('\n').pop()!.trim();
    tarballs.set(manifest(dir).name, path.isAbsolute(file) ? file : path.join(dest, path.basename(file)));
  }
  return tarballs;
}

/** The README's first ```ts block, or undefined. */
function firstExample(dir: string): string | undefined {
  return /```ts\n([\s\S]*?)```/.exec(readFileSync(path.join(root, 'packages', dir, 'README.md'), 'utf8'))?.[1];
}

export interface PackResult {
  readonly pkg: string;
  /** What ran: the README example, or the binary's --help. */
  readonly ran: string;
  readonly output: string;
}

/** Writes the fresh project of package `dir` (its tarball, its @ssam deps' tarballs as overrides). */
function writeProject(dir: string, tarballs: Map<string, string>, work: string): string {
  const m = manifest(dir);
  const project = path.join(work, dir);
  mkdirSync(project, { recursive: true });
  const overrides = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  // Optional peers (the data sets @ssam/data reads) are what its README tells a user to add.
  const dependencies = { ...m.peerDependencies, [m.name]: `file:${tarballs.get(m.name)}` };
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: `pack-check-${dir}`, private: true, type: 'module', dependencies, overrides }, null, 2),
  );
  return project;
}

// --ignore-scripts: gpu.js's optional native `gl` is an explicit opt-in (docs/guide/gpu.md).
const NPM_INSTALL = ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];

/**
 * Installs the fresh projects of `dirs`, `concurrency` at a time (the installs wait mostly on the
 * registry and the disk). Each then checks with `checkPackage(..., { installed: true })`.
 */
export async function installAll(dirs: readonly string[], tarballs: Map<string, string>, work: string, concurrency = 4): Promise<void> {
  const queue = [...dirs];
  const worker = async () => {
    for (let dir = queue.shift(); dir !== undefined; dir = queue.shift())
      await execFileAsync('npm', NPM_INSTALL, { cwd: writeProject(dir, tarballs, work), encoding: 'utf8' });
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, dirs.length) }, worker));
}

/**
 * Installs package `dir` alone into a fresh folder under `work` (unless `installed`) and runs its
 * README example (for a package with a binary: `<bin> --help`). Throws with the command's output on failure.
 */
export function checkPackage(dir: string, tarballs: Map<string, string>, work: string, opts: { installed?: boolean } = {}): PackResult {
  const m = manifest(dir);
  const project = path.join(work, dir);
  if (!opts.installed) execFileSync('npm', NPM_INSTALL, { cwd: writeProject(dir, tarballs, work), encoding: 'utf8', stdio: 'pipe' });
  const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8', stdio: 'pipe', timeout: 120_000 });
  // Every relative link of the README as npm shows it must resolve inside the tarball.
  const installed = path.join(project, 'node_modules', ...m.name.split('/'));
  const dead = [...readFileSync(path.join(installed, 'README.md'), 'utf8').matchAll(/\]\(([^)\s#]+)(#[^)\s]*)?\)/g)]
    .map((l) => l[1]!)
    .filter((l) => !/^[a-z]+:/.test(l) && !existsSync(path.join(installed, l)));
  if (dead.length) throw new Error(`${m.name}: its packed README links files the tarball does not contain: ${dead.join(', ')}`);
  // The import alone, with Node's default conditions: what `import '@ssam/x'` gives a user.
  run(['--input-type=module', '-e', `await import(${JSON.stringify(m.name)})`]);
  if (m.bin) {
    const [bin] = Object.keys(m.bin);
    return { pkg: m.name, ran: `${bin} --help`, output: execFileSync(path.join(project, 'node_modules', '.bin', bin!), ['--help'], { cwd: project, encoding: 'utf8' }) };
  }
  const code = firstExample(dir);
  if (!code) throw new Error(`${m.name}: its README has no \`\`\`ts example`);
  writeFileSync(path.join(project, 'example.ts'), code);
  try {
    return { pkg: m.name, ran: 'README example', output: run(['--import', tsx, 'example.ts']) };
  } catch (e) {
    // The GPU example needs gpu.js's native gl, which a plain install does not build (an explicit
    // opt-in, docs/guide/gpu.md). Its refusal, with the reason, is the documented behaviour.
    const stderr = (e as { stderr?: string }).stderr ?? '';
    if (dir === 'tensor-gpu' && /gpuBackend: refusing to run as a GPU backend: .*not a GL kernel/.test(stderr))
      return { pkg: m.name, ran: 'import; the README example refuses cleanly without a GL context (gl is opt-in)', output: stderr };
    throw e;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const work = mkdtempSync(path.join(tmpdir(), 'ssam-pack-'));
  try {
    const tarballs = packAll(work);
    let failed = 0;
    const dirs = process.argv.slice(2).length ? process.argv.slice(2) : publishedPackages();
    await installAll(dirs, tarballs, work);
    for (const dir of dirs) {
      try {
        const r = checkPackage(dir, tarballs, work, { installed: true });
        console.log(`ok ${r.pkg}: ${r.ran}`);
      } catch (e) {
        failed++;
        const err = e as { stderr?: string; message: string };
        console.log(`FAILED ${dir}: ${(err.stderr || err.message).trim().split('\n').slice(0, 12).join('\n  ')}`);
      }
    }
    process.exitCode = failed ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
