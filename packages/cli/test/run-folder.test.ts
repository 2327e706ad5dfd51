import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { tensor } from '@ssam/tensor';
import { main } from '../src/main.js';
import { decodeSafetensors, encodeSafetensors } from '../src/safetensors.js';
import { tmpDir, TINY } from './helpers.js';

// A full disk, injected: while `fsFault.file` matches, writeFileSync writes half and throws ENOSPC
// (what the kernel does when the device fills mid-write).
const fsFault = vi.hoisted(() => ({ file: undefined as RegExp | undefined, hits: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeFileSync: typeof fs.writeFileSync = (file, data, ...rest) => {
    if (fsFault.file?.test(String(file))) {
      fsFault.hits++;
      fs.writeFileSync(file, typeof data === 'string' ? data.slice(0, data.length >> 1) : (data as Uint8Array).subarray(0, (data as Uint8Array).length >> 1));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    return fs.writeFileSync(file, data, ...rest);
  };
  return { ...fs, default: { ...fs, writeFileSync }, writeFileSync };
});

/** Runs `ssam ...args` in this process; returns the exit code and what it printed. */
async function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const buf = { stdout: '', stderr: '' };
  const sink = (k: 'stdout' | 'stderr') => new Writable({ write: (c, _e, cb) => ((buf[k] += String(c)), cb()) }) as unknown as NodeJS.WriteStream;
  const code = await main(args, { stdout: sink('stdout'), stderr: sink('stderr') });
  return { code, ...buf };
}

/** Every file under `dir` with its bytes: "nothing overwritten" compares two of these. */
function contents(dir: string): Record<string, string> {
  const o: Record<string, string> = {};
  if (statSync(dir).isFile()) return { '.': readFileSync(dir).toString('base64') };
  for (const e of readdirSync(dir, { recursive: true }) as string[]) {
    const f = path.join(dir, e);
    if (statSync(f).isFile()) o[e] = readFileSync(f).toString('base64');
  }
  return o;
}

/** The run is refused: exit 2, one line matching `pattern`, and the folder exactly as it was. */
async function expectRefused(out: string, pattern: RegExp, args: readonly string[] = ['train', '--resume', '--out', out]): Promise<void> {
  const before = existsSync(out) ? contents(out) : undefined;
  const r = await run(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stdout).toBe('');
  if (before) expect(contents(out)).toEqual(before);
}

const ARGS = ['train', ...TINY, '--optimizer', 'sam', '--seed', '5', '--checkpoint-every', '3'];
const root = tmpDir('runfolder');
const base = path.join(root, 'base');
const other = path.join(root, 'other');
const copy = (name: string): string => {
  const d = path.join(root, name);
  cpSync(base, d, { recursive: true });
  return d;
};
const statePath = (d: string) => path.join(d, 'checkpoint', 'state.json');
const editState = (d: string, f: (s: any) => void) => {
  const s = JSON.parse(readFileSync(statePath(d), 'utf8'));
  f(s);
  writeFileSync(statePath(d), JSON.stringify(s));
};

beforeAll(async () => {
  for (const [out, seed] of [[base, '5'], [other, '6']] as const) {
    const r = await run([...ARGS, '--seed', seed, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
  }
});

describe('a checkpoint is checked against its run before anything is written', () => {
  it('resumes a sound run (the checks pass on what the run wrote)', async () => {
    const d = copy('sound');
    const r = await run(['train', '--resume', '--out', d, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('refuses a position outside the run', async () => {
    const d = copy('epoch7');
    editState(d, (s) => (s.state.position.epoch = 7));
    await expectRefused(d, /^ssam: --resume: .*checkpoint\/state\.json: position\.epoch 7 is past the run's 2 epochs/);
  });

  it('refuses a tensor of the wrong shape (a bias stored as [1])', async () => {
    const d = copy('bias1');
    const doc = JSON.parse(readFileSync(statePath(d), 'utf8'));
    const file = path.join(d, 'checkpoint', doc.tensorFile);
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(file)));
    expect(tensors['train.params.fc1.b']!.shape).toEqual([16]);
    writeFileSync(file, encodeSafetensors({ ...tensors, 'train.params.fc1.b': tensor([0.5]) }));
    await expectRefused(d, /state\.train\.params\.fc1\.b is a tensor \[1\] \(float32\); the run needs a tensor \[16\] \(float32\)/);
  });

  it("refuses another run's checkpoint and names the field that differs", async () => {
    const d = copy('foreign');
    cpSync(path.join(other, 'checkpoint'), path.join(d, 'checkpoint'), { recursive: true, force: true });
    await expectRefused(d, /meta\.fingerprint: the checkpoint belongs to another run \(config\.seed is 6 there, 5 in this run\)/);
  });

  it('refuses a config.json edited to another width', async () => {
    const d = copy('width');
    const c = JSON.parse(readFileSync(path.join(d, 'config.json'), 'utf8'));
    c.config.width = [32];
    writeFileSync(path.join(d, 'config.json'), JSON.stringify(c));
    await expectRefused(d, /config\.json: config\.width was edited \(\[16\] when the run started, \[32\] now\)/);
  });

  it('refuses malformed state in one line, without a stack trace', async () => {
    const d = copy('malformed');
    writeFileSync(statePath(d), readFileSync(statePath(d), 'utf8').slice(0, 200));
    await expectRefused(d, /state\.json: not valid JSON/);
    const e = copy('nokey');
    editState(e, (s) => (s.state.keys.data = { $key: ['x'] }));
    await expectRefused(e, /state\.keys\.data is a PRNG key with words \["x"\]/);
    const f = copy('notrain');
    editState(f, (s) => delete s.state.train);
    await expectRefused(f, /state\.train is undefined "?undefined"?; the run needs an object/);
  });
});

describe("state.json's tensorFile stays inside the checkpoint folder", () => {
  it('refuses a path that leaves the folder, and a device', async () => {
    const d = copy('traversal');
    cpSync(path.join(other, 'checkpoint', JSON.parse(readFileSync(statePath(other), 'utf8')).tensorFile), path.join(root, 'outside.safetensors'));
    editState(d, (s) => (s.tensorFile = '../../outside.safetensors'));
    await expectRefused(d, /tensorFile "\.\.\/\.\.\/outside\.safetensors" is not a plain file name in the checkpoint folder/);
    editState(d, (s) => (s.tensorFile = '/dev/zero'));
    await expectRefused(d, /tensorFile "\/dev\/zero" is not a plain file name/);
  });
});

describe('run folders that a kill or the file system left behind', () => {
  it('lets a fresh run take over a folder that holds only the temp file of a killed config.json write', async () => {
    const out = path.join(root, 'killed-early');
    mkdirSync(out);
    writeFileSync(path.join(out, 'config.json.tmp-99999'), '{"format": "ssam-ru');
    await expectRefused(out, /holds no config\.json, only what a run killed while starting leaves; start it again without --resume/);
    const r = await run([...ARGS, '--epochs', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses an --out that is a file, or under a file, or cannot be written, in one line with exit 2', async () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'x');
    await expectRefused(file, /--out .*a-file is a file, not a folder/, [...ARGS, '--out', file]);
    await expectRefused(path.join(file, 'run'), /--out .*a-file\/run: .*a part of the path is a file, not a folder \(ENOTDIR\)/, [...ARGS, '--out', path.join(file, 'run')]);
    // /proc takes no new folders, even from root; elsewhere a folder without write permission.
    const ro = process.getuid?.() === 0 ? '/proc/ssam-test' : path.join(root, 'read-only');
    if (ro !== '/proc/ssam-test') mkdirSync(ro, { mode: 0o555 });
    await expectRefused(path.join(ro, 'run'), /--out .*run: creating .*\((EACCES|ENOENT|EPERM|EROFS)\)/, [...ARGS, '--out', path.join(ro, 'run')]);
  });

  it('stops on a full disk mid-run with exit 1 and one line, keeping the last checkpoint and no temp file', async () => {
    const out = path.join(root, 'enospc');
    const whole = base;
    // Fail the third checkpoint's state.json (after steps 3 and 6 were saved).
    let writes = 0;
    fsFault.hits = 0;
    fsFault.file = { test: (f: string) => f.endsWith(path.join('checkpoint', 'state.json.tmp-' + process.pid)) && ++writes === 3 } as unknown as RegExp;
    let r: Awaited<ReturnType<typeof run>>;
    try {
      r = await run([...ARGS, '--out', out]);
    } finally {
      fsFault.file = undefined;
    }
    expect(fsFault.hits).toBe(1);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/^ssam: writing .*checkpoint\/state\.json: no space left on the device \(ENOSPC\); the last checkpoint in .* is intact/);
    const ck = readdirSync(path.join(out, 'checkpoint'));
    expect(ck.filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(ck.filter((f) => f.endsWith('.safetensors'))).toHaveLength(1);
    expect(JSON.parse(readFileSync(statePath(out), 'utf8')).meta.step).toBe(6);
    expect(existsSync(path.join(out, 'ssam.lock'))).toBe(false);
    // The kept checkpoint is whole: resuming ends where the uninterrupted run did, byte for byte.
    const again = await run(['train', '--resume', '--out', out, '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'model.safetensors')).equals(readFileSync(path.join(whole, 'model.safetensors')))).toBe(true);
  });

  it('refuses a full disk while the folder is set up with exit 2, and leaves no folder behind', async () => {
    const out = path.join(root, 'enospc-start');
    fsFault.file = /config\.json\.tmp-\d+$/;
    fsFault.hits = 0;
    try {
      await expectRefused(out, /^ssam: --out .*enospc-start: writing .*config\.json: no space left on the device \(ENOSPC\)\n$/, [...ARGS, '--out', out]);
    } finally {
      fsFault.file = undefined;
    }
    expect(fsFault.hits).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses SSAM_THREADS that is not a positive integer', async () => {
    const was = process.env.SSAM_THREADS;
    process.env.SSAM_THREADS = 'abc';
    try {
      await expectRefused(path.join(root, 'threads'), /SSAM_THREADS must be a positive integer .*got 'abc'/, [...ARGS, '--out', path.join(root, 'threads')]);
    } finally {
      if (was === undefined) delete process.env.SSAM_THREADS;
      else process.env.SSAM_THREADS = was;
    }
  });
});
