/**
 * @ssam/tensor/io: pytrees and named tensors in safetensors files (PyTorch's `safetensors` reads
 * them). Node only: it uses node:fs, which the main entry never imports.
 * @example
 * import { tensor } from '@ssam/tensor';
 * import { saveTree, loadTree } from '@ssam/tensor/io';
 * saveTree('/tmp/params.safetensors', { fc: { w: tensor([[1, 2]]) } }, { metadata: { step: '10' } });
 * const params = loadTree('/tmp/params.safetensors');
 */
export { saveTree, loadTree, TREE_KEY, type SaveTreeOptions, type LoadTreeOptions } from './tree-io.js';
export { encodeSafetensors, decodeSafetensors, readSafetensors, SafetensorsError, MAX_HEADER_BYTES, type Decoded } from './safetensors.js';
export { writeFileAtomic, isTempFile } from './atomic.js';
