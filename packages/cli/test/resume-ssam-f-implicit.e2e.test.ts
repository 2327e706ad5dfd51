import { describe, it } from 'vitest';
import { checkKillAndResume } from './resume-helpers.js';

describe('resume after SIGKILL', () => {
  // The N:M mask that pass 1's input gradients flow through lives in the optimizer state.
  it('ssam-f-implicit 2:4: ends bit-identical to an uninterrupted run', () => checkKillAndResume('ssam-f-implicit', ['--pattern', '2:4']));
});
