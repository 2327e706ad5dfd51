import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isTensor, random, type Tensor } from '@ssam/tensor';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { writeFileAtomic } from './train/run-dir.js';

/**
 * Checkpoints: tensors go to safetensors (loadable by PyTorch), everything else (structure,
 * step counters, PRNG keys, data position) to JSON. Writing is atomic: the tensor file gets a
 * fresh name and is renamed into place, then `state.json`, which names that file, is renamed over
 * the old one. That rename is the commit point. A kill at any moment leaves the previous or the
 * new checkpoint, never a mix.
 */
export const CHECKPOINT_FORMAT = 'ssam-checkpoint/1';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

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

export function decodeState(json: Json, tensors: Record<string, Tensor>): unknown {
  const dec = (v: Json): unknown => {
    if (Array.isArray(v)) return v.map(dec);
    if (v !== null && typeof v === 'object') {
      if ('$tensor' in v) {
        const t = tensors[v.$tensor as string];
        if (!t) throw new Error(`checkpoint: tensor '${String(v.$tensor)}' is missing from the tensor file`);
        return t;
      }
      if ('$key' in v) {
        const [a, b] = v.$key as [number, number];
        return random.keyFromWords(a, b);
      }
      if ('$num' in v) return Number(v.$num);
      if ('$undefined' in v) return undefined;
      const o: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v)) o[k] = dec(e);
      return o;
    }
    return v;
  };
  return dec(json);
}

/** Saves `state` (any tree of tensors, keys, numbers, strings) into `dir` atomically. */
export function saveCheckpoint(dir: string, state: unknown, meta: Record<string, Json> = {}): void {
  mkdirSync(dir, { recursive: true });
  const { json, tensors } = encodeState(state);
  const tensorFile = `tensors-${Date.now()}-${process.pid}.safetensors`;
  writeFileAtomic(path.join(dir, tensorFile), encodeSafetensors(tensors, { format: CHECKPOINT_FORMAT }));
  writeFileAtomic(path.join(dir, 'state.json'), JSON.stringify({ format: CHECKPOINT_FORMAT, tensorFile, meta, state: json }, null, 1));
  // Only now is the old tensor file unreferenced.
  for (const f of readdirSync(dir)) if (f.startsWith('tensors-') && f !== tensorFile) rmSync(path.join(dir, f), { force: true });
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(path.join(dir, 'state.json'));
}

export function loadCheckpoint(dir: string): { state: unknown; meta: Record<string, Json> } {
  const stateFile = path.join(dir, 'state.json');
  if (!existsSync(stateFile)) throw new Error(`checkpoint: ${stateFile} does not exist; nothing to resume`);
  const doc = JSON.parse(readFileSync(stateFile, 'utf8')) as { format: string; tensorFile: string; meta: Record<string, Json>; state: Json };
  if (doc.format !== CHECKPOINT_FORMAT) throw new Error(`checkpoint: ${stateFile} has format '${doc.format}', expected '${CHECKPOINT_FORMAT}'`);
  const tf = path.join(dir, doc.tensorFile);
  const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(tf)), tf);
  return { state: decodeState(doc.state, tensors), meta: doc.meta };
}
