// A minimal reader for (gzipped) ustar archives such as npm tarballs: regular files only.
import { gunzipSync } from 'node:zlib';

const text = (b: Uint8Array, from: number, len: number): string => {
  let end = from;
  while (end < from + len && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + from, end - from).toString('utf8');
};

/**
 * The regular files of a tar archive (gunzipped first when it carries the gzip magic), by path.
 * Contents are views into one buffer. Throws on a malformed archive.
 */
export function untar(archive: Uint8Array): Map<string, Uint8Array> {
  const tar = archive[0] === 0x1f && archive[1] === 0x8b ? new Uint8Array(gunzipSync(archive)) : archive;
  const files = new Map<string, Uint8Array>();
  let longName: string | undefined;
  let off = 0;
  while (off + 512 <= tar.length) {
    if (tar.subarray(off, off + 512).every((v) => v === 0)) break;
    const name = text(tar, off, 100);
    const sizeField = text(tar, off + 124, 12).trim();
    const size = parseInt(sizeField || '0', 8);
    const type = String.fromCharCode(tar[off + 156] || 48);
    const prefix = text(tar, off + 345, 155);
    if (!Number.isFinite(size) || size < 0) throw new Error(`untar: bad size field '${sizeField}' in the header at byte ${off}`);
    const start = off + 512;
    if (start + size > tar.length) throw new Error(`untar: ${name} needs ${size} bytes at byte ${start} but the archive ends at ${tar.length} (truncated)`);
    const body = tar.subarray(start, start + size);
    if (type === 'L') longName = text(body, 0, size);
    else {
      if (type === '0' || type === '\0') files.set(longName ?? (prefix ? `${prefix}/${name}` : name), body);
      longName = undefined;
    }
    off = start + Math.ceil(size / 512) * 512;
  }
  return files;
}
