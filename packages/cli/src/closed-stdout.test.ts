import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { endQuietlyOnClosedPipe } from './closed-stdout.js';

const errno = (code: string) => Object.assign(new Error(`write ${code}`), { code });

describe('endQuietlyOnClosedPipe', () => {
  it('ends the process with code 0 on EPIPE (a closed pipe), printing nothing', () => {
    const s = new EventEmitter();
    const codes: number[] = [];
    endQuietlyOnClosedPipe(s, (c) => codes.push(c));
    // Without a listener, emitting 'error' throws: that is the stack trace the user saw.
    expect(() => s.emit('error', errno('EPIPE'))).not.toThrow();
    expect(codes).toEqual([0]);
  });

  it('leaves other write errors to fail loudly', () => {
    const s = new EventEmitter();
    const codes: number[] = [];
    endQuietlyOnClosedPipe(s, (c) => codes.push(c));
    expect(() => s.emit('error', errno('ENOSPC'))).toThrow(/ENOSPC/);
    expect(codes).toEqual([]);
  });
});
