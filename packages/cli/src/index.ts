/**
 * @ssam/cli: the `ssam` command line (train, compare, data prepare) and the pieces it is made of,
 * for scripts that want them: the entry point, config validation, budgets, safetensors and
 * checkpoint files, and the plot renderer.
 * @example
 * import { main } from '@ssam/cli';
 * const code = await main(['compare', '--budget', 'tiny', '--quiet', '--out', 'runs/smoke']); // 0
 */
export { main, EXIT } from './main.js';
export { parseTrainConfig, configToRaw, rerunCommand, UsageError, RunFailure, OPTIMIZERS, DATASETS, type TrainConfig, type OptimizerName, type Pattern } from './config.js';
export { BUDGETS, BUDGET_NAMES, DEFAULT_BUDGET, type BudgetName } from './budgets.js';
export { MODELS, MODEL_NAMES } from './setup/models.js';
export { encodeSafetensors, decodeSafetensors, readSafetensorsFile, SafetensorsError, MAX_HEADER_BYTES } from './safetensors.js';
export { saveCheckpoint, loadCheckpoint, readCheckpoint, hasCheckpoint, encodeState, decodeState, CheckpointError, CHECKPOINT_FORMAT } from './checkpoint.js';
export { RUN_FILES, METRICS_COLUMNS, type EpochRecord } from './train/run-dir.js';
export type { RunSummary } from './train/loop.js';
export type { RunConfigDoc } from './train/run-config.js';
export { curveSpec, renderSvg, svgToPng, yDomain, type CurvePoint, type CurveOptions } from './plots.js';
export { aggregate, verdict, METRICS, type Comparison, type CompareRow, type MetricDef, type RunResult, type AggregateOptions } from './compare/aggregate.js';
export { classify, chanceMargins, type Outcome, type ChanceContext } from './compare/collapse.js';
export { summarize, pairedDifference, tQuantile, tCdf, type SampleSummary } from './compare/stats.js';
