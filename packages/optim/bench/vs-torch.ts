// @ssam's training step (eager and compiled) against PyTorch on one pinned core, interleaved round
// by round: a PyTorch worker (bench/torch_worker.py) answers one step per request over a pipe.
// Runs where `/usr/bin/python3 -c 'import torch'` works (Debian python3-torch); says so otherwise.
// Debian's torch links libblas.so.3, which is the netlib reference BLAS unless an optimized one is
// installed (~5 GFLOP/s at 512³, which makes the MLP rows unfair): the bench fetches
// libopenblas0-openmp with `apt-get download` into node_modules/.cache/openblas once, unpacks it
// with dpkg-deb and points the worker's LD_LIBRARY_PATH at it. SSAM_TORCH_BLAS=reference skips that.
// The worker names the BLAS it really loaded (from /proc/self/maps) in its ready line.
// SSAM_TORCH_ONLY=mlp (or resnet20) times one model alone, e.g. with more rounds on a busy machine.
//   cd packages/optim && SSAM_THREADS=1 taskset -c 0 node --conditions=source --import tsx bench/vs-torch.ts [rounds]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mlp, resnet20 } from '@ssam/models';
import { sam, sgd, type Model } from '../src/index.js';
import { stepTimer } from './step-timer.js';

const rounds = Number(process.argv[2] ?? 7);
const here = path.dirname(fileURLToPath(import.meta.url));
const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.log(`skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch): ${probe.stderr.trim().split('\n').pop()}`);
  process.exit(0);
}
const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1];
const lscpu = spawnSync('lscpu', { encoding: 'utf8' }).stdout;
const fam = lscpu.match(/CPU family:\s*(\d+)/)?.[1], mod = lscpu.match(/Model:\s*(\d+)/)?.[1];
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

/** The folder holding OpenBLAS's libblas.so.3, fetched and unpacked on first use; or why not. */
function openblasDir(): { dir?: string; why?: string } {
  if (process.env.SSAM_TORCH_BLAS === 'reference') return { why: 'SSAM_TORCH_BLAS=reference' };
  const cache = path.join(here, '..', 'node_modules', '.cache', 'openblas');
  // the .deb puts it under usr/lib/<multiarch triplet>/openblas-openmp
  const found = () => {
    const usrLib = path.join(cache, 'x', 'usr', 'lib');
    if (!existsSync(usrLib)) return undefined;
    return readdirSync(usrLib).map((t) => path.join(usrLib, t, 'openblas-openmp')).find((d) => existsSync(path.join(d, 'libblas.so.3')));
  };
  const have = found();
  if (have) return { dir: have };
  mkdirSync(cache, { recursive: true });
  const dl = spawnSync('apt-get', ['download', 'libopenblas0-openmp'], { cwd: cache, encoding: 'utf8', timeout: 120_000 });
  const deb = readdirSync(cache).find((f) => f.startsWith('libopenblas0-openmp') && f.endsWith('.deb'));
  if (!deb) return { why: `apt-get download libopenblas0-openmp failed: ${(dl.stderr ?? String(dl.error)).trim().split('\n').pop()}` };
  const x = spawnSync('dpkg-deb', ['-x', deb, 'x'], { cwd: cache, encoding: 'utf8' });
  const lib = found();
  if (x.status !== 0 || !lib) return { why: `dpkg-deb -x ${deb} gave no openblas-openmp/libblas.so.3: ${x.stderr?.trim() ?? String(x.error)}` };
  return { dir: lib };
}
const blas = openblasDir();
// OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine for older OpenBLAS builds; they
// would pin a slower kernel, so they are dropped for the worker alone (its ready line names the core).
const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
if (blas.dir) {
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  env.LD_LIBRARY_PATH = [blas.dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
}
const worker = spawn('/usr/bin/python3', [path.join(here, 'torch_worker.py')], { stdio: ['pipe', 'pipe', 'inherit'], env });
const lines = createInterface({ input: worker.stdout })[Symbol.asyncIterator]();
const ask = async (req: string) => {
  worker.stdin.write(req + '\n');
  return Number((await lines.next()).value);
};
const ready = (await lines.next()).value as string;


const settle = () => new Promise((r) => setTimeout(r, 30));
const base = () => sgd({ lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
console.log(`CPU: ${cpu} (family ${fam} model ${mod}), 1 thread each, pinned by taskset; PyTorch worker: ${ready}${blas.why ? ` (no OpenBLAS: ${blas.why})` : ''}; ${rounds} rounds after 2 warm-up steps`);
console.log('| step | PyTorch ms | @ssam eager ms | @ssam compiled ms | eager / PyTorch | compiled / PyTorch |\n| --- | --- | --- | --- | --- | --- |');
for (const [name, key, model, shape, n] of [
  ['MLP 784-256-128-10 b128', 'mlp', mlp([256, 128, 10]), [-1, 1, 28, 28], 128],
  ['ResNet-20 (option A) b32', 'resnet20', resnet20(), [-1, 3, 32, 32], 32],
] as const) {
  if (process.env.SSAM_TORCH_ONLY && process.env.SSAM_TORCH_ONLY !== key) continue;
  for (const [oname, make] of [['SGD', base], ['SAM', () => sam({ rho: 0.05, base: base() })]] as const) {
    const e = stepTimer(model as unknown as Model, [...shape], n, make(), false);
    const c = stepTimer(model as unknown as Model, [...shape], n, make(), true);
    const t = () => ask(`${key} ${oname.toLowerCase()}`);
    for (let w = 0; w < 2; w++) { e(); c(); await t(); }
    const tt: number[] = [], te: number[] = [], tc: number[] = [], re: number[] = [], rc: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // a pause before each timed step lets Node's background GC and compiler threads, which share
      // the pinned core, finish the previous step's work instead of preempting the next contender
      await settle();
      const a = await t();
      await settle();
      const b = e();
      await settle();
      const d = c();
      tt.push(a); te.push(b); tc.push(d); re.push(b / a); rc.push(d / a);
    }
    console.log(`| ${name} ${oname} | ${median(tt).toFixed(1)} | ${median(te).toFixed(1)} | ${median(tc).toFixed(1)} | ${median(re).toFixed(2)}× | ${median(rc).toFixed(2)}× |`);
  }
}
worker.stdin.end();
