import { defineProject } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

// --expose-gc lets the memory test collect garbage on demand and then count live textures.
export default defineProject({ ...shared, test: { ...shared.test, name: 'tensor-gpu', execArgv: ['--expose-gc'] } });
