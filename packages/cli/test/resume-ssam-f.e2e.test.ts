import { describe, it } from 'vitest';
import { checkKillAndResume } from './resume-helpers.js';

describe('resume after SIGKILL', () => {
  it('ssam-f: ends bit-identical to an uninterrupted run', () => checkKillAndResume('ssam-f'));
});
