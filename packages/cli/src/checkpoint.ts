import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { isTensor, random, type Tensor } from '@ssam/tensor';
import { encodeSafetensors, readSafetensorsFile } from './safetensors.js';
import { UsageError } from './config.js';
import { makeDirs, readRegularFile, writeFileAtomic } from './train/run-dir.js';

/**
 * Checkpoints: tensors go to safetensors (loadable by PyTorch), everything else (structure,
 * step counters, PRNG keys, data position) to JSON. Writing is atomic: the tensor file gets a
 * fresh name and is renamed into place, then `state.json`, which names that file, is renamed over
 * the old one. That rename is the commit point. A kill at any moment leaves the previous or the
 * new checkpoint, never a mix; a failed write (a full disk) leaves the previous one and no
 * temporary file.
 *
 * Reading trusts nothing: state.json is parsed into an Either, its `tensorFile` must be a plain
 * name of a regular file in the folder, and every `$tensor` reference must resolve.
 */
export const CHECKPOINT_FORMAT = 'ssam-checkpoint/1';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * A checkpoint that cannot be read or does not belong to its run; the message names the file and
 * the field. It is bad input (a UsageError: one line, exit code 2), not a crash.
 */
export class CheckpointError extends UsageError {}

/** Encodes an arbitrary state tree: tensors are pulled out by path, keys and numbers tagged. */
export function encodeState(state: unknown): { json: Json; tensors: Record<string, Tensor> } {
  const tensors: Record<string, Tensor> = {};
  const enc = (v: unknown, p: string): Json => {
    if (isTensor(v)) {
      tensors[p] = v;
      return { $tensor: p };
    }
    if (v instanceof random.Key) return { $key: [...v.words] };
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) };
    if (v === undefined) return { $undefined: true };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map((e, i) => enc(e, `${p}.${i}`));
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const o: { [k: string]: Json } = {};
      for (const k of Object.keys(v as object).sort()) o[k] = enc((v as Record<string, unknown>)[k], p ? `${p}.${k}` : k);
      return o;
    }
    throw new Error(`checkpoint: cannot serialise a ${Object.prototype.toString.call(v)} at '${p}'`);
  };
  return { json: enc(state, ''), tensors };
}

const isWord = (w: unknown): w is number => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w < 2 ** 32;

/** The inverse of `encodeState`; a Left names the path of the first malformed entry. */
export function decodeState(json: Json, tensors: Record<string, Tensor>): E.Either<CheckpointError, unknown> {
  const fail = (p: string, m: string) => {
    throw new CheckpointError(`state${p ? `.${p}` : ''} ${m}`);
  };
  const dec = (v: Json, p: string): unknown => {
    const at = (k: string | number) => (p ? `${p}.${k}` : String(k));
    if (Array.isArray(v)) return v.map((e, i) => dec(e, at(i)));
    if (v === null || typeof v !== 'object') return v;
    if ('$tensor' in v) {
      const t = typeof v.$tensor === 'string' && Object.hasOwn(tensors, v.$tensor) ? tensors[v.$tensor] : undefined;
      return t ?? fail(p, `names tensor ${JSON.stringify(v.$tensor)}, which the tensor file does not hold`);
    }
    if ('$key' in v) {
      const w = v.$key;
      return Array.isArray(w) && w.length === 2 && isWord(w[0]) && isWord(w[1]) ? random.keyFromWords(w[0], w[1]) : fail(p, `is a PRNG key with words ${JSON.stringify(w)}; a key is two integers in [0, 2^32)`);
    }
    if ('$num' in v) return ['NaN', 'Infinity', '-Infinity'].includes(v.$num as string) ? Number(v.$num) : fail(p, `is ${JSON.stringify(v.$num)}; only NaN and ±Infinity are tagged numbers`);
    if ('$undefined' in v) return undefined;
    const o: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) o[k] = dec(e, at(k));
    return o;
  };
  return E.tryCatch(() => dec(json, ''), (e) => (e instanceof CheckpointError ? e : new CheckpointError(String(e))));
}

/** Saves `state` (any tree of tensors, keys, numbers, strings) into `dir` atomically. */
export function saveCheckpoint(dir: string, state: unknown, meta: Record<string, Json> = {}): void {
  makeDirs(dir);
  const { json, tensors } = encodeState(state);
  const tensorFile = `tensors-${Date.now()}-${process.pid}.safetensors`;
  const tensorPath = path.join(dir, tensorFile);
  try {
    writeFileAtomic(tensorPath, encodeSafetensors(tensors, { format: CHECKPOINT_FORMAT }));
    writeFileAtomic(path.join(dir, 'state.json'), JSON.stringify({ format: CHECKPOINT_FORMAT, tensorFile, meta, state: json }, null, 1));
  } catch (e) {
    // state.json still names the previous tensor file: the new one is unreferenced.
    rmSync(tensorPath, { force: true });
    throw e;
  }
  // Only now is the old tensor file unreferenced.
  for (const f of readdirSync(dir)) if (f.startsWith('tensors-') && f !== tensorFile) rmSync(path.join(dir, f), { force: true });
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(path.join(dir, 'state.json'));
}

/** A plain name in the folder: no separator, no `..`, nothing that resolves elsewhere. */
export const isPlainFileName = (n: string): boolean => n.length > 0 && n.length <= 255 && n !== '.' && n !== '..' && !/[/\\\0]/.test(n) && path.basename(n) === n;

interface StateDoc {
  readonly tensorFile: string;
  readonly meta: Record<string, Json>;
  readonly state: Json;
}

const isObject = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

function parseStateDoc(file: string): E.Either<CheckpointError, StateDoc> {
  return pipe(
    E.tryCatch(() => JSON.parse(readRegularFile(file).toString('utf8')) as unknown, (e) => new CheckpointError(`${file}: ${e instanceof SyntaxError ? `not valid JSON (${e.message})` : (e as Error).message}`)),
    E.chain((doc) => (isObject(doc) ? E.right(doc) : E.left(new CheckpointError(`${file}: not a JSON object`)))),
    E.chain((doc) =>
      doc.format !== CHECKPOINT_FORMAT ? E.left(new CheckpointError(`${file}: format is ${JSON.stringify(doc.format)}, expected '${CHECKPOINT_FORMAT}'`))
        : typeof doc.tensorFile !== 'string' || !isPlainFileName(doc.tensorFile) ? E.left(new CheckpointError(`${file}: tensorFile ${JSON.stringify(doc.tensorFile)} is not a plain file name in the checkpoint folder`))
        : !isObject(doc.meta) ? E.left(new CheckpointError(`${file}: meta is not a JSON object`))
        : !('state' in doc) ? E.left(new CheckpointError(`${file}: state is missing`))
        : E.right({ tensorFile: doc.tensorFile, meta: doc.meta, state: doc.state as Json }),
    ),
  );
}

/** Reads the checkpoint in `dir`; a Left says which file or field is wrong, in one line. */
export function readCheckpoint(dir: string): E.Either<CheckpointError, { state: unknown; meta: Record<string, Json> }> {
  const stateFile = path.join(dir, 'state.json');
  try {
    if (!lstatSync(dir).isDirectory()) return E.left(new CheckpointError(`${dir} is not a folder (a symbolic link?)`));
  } catch {
    return E.left(new CheckpointError(`${stateFile} does not exist; nothing to resume`));
  }
  if (!existsSync(stateFile)) return E.left(new CheckpointError(`${stateFile} does not exist; nothing to resume`));
  return pipe(
    parseStateDoc(stateFile),
    E.chain((doc) =>
      pipe(
        readSafetensorsFile(path.join(dir, doc.tensorFile)),
        E.mapLeft((e) => new CheckpointError(e.message)),
        E.chain(({ tensors }) => decodeState(doc.state, tensors)),
        E.mapLeft((e) => new CheckpointError(e.message.startsWith('state') ? `${stateFile}: ${e.message}` : e.message)),
        E.map((state) => ({ state, meta: doc.meta })),
      ),
    ),
  );
}

/** `readCheckpoint` for callers without an Either: throws the CheckpointError. */
export function loadCheckpoint(dir: string): { state: unknown; meta: Record<string, Json> } {
  const r = readCheckpoint(dir);
  if (E.isLeft(r)) throw r.left;
  return r.right;
}
