/** `@ssam/tensor/trace`: the hook @ssam/autograd uses to record primitives. Not for model code. */
export { pushTracer, popTracer, untraced, activeTracers, type Tracer } from './trace.js';
export { fromHost, dataOf } from './tensor.js';
