import { Command, Option } from 'commander';
import { BUDGET_NAMES, BUDGETS, DEFAULT_BUDGET, type BudgetName } from './budgets.js';
import { DATASETS, OPTIMIZERS, UsageError } from './config.js';
import { MODEL_NAMES } from './setup/models.js';

/** The training options `train` and `compare` share, as commander options (all values strings). */
export function addTrainingOptions(cmd: Command, { withOptimizer }: { withOptimizer: boolean }): Command {
  const opt = (flags: string, help: string) => cmd.addOption(new Option(flags, help));
  opt('--model <name>', `model: ${MODEL_NAMES.join(', ')} (default mlp)`);
  opt('--width <n,...>', 'hidden widths of --model mlp, e.g. 256,128 (default from --budget)');
  opt('--data <name[:dir]>', `data set: ${DATASETS.join(', ')}; cifar10 reads data-cache/cifar10 unless a dir is given (default mnist)`);
  if (withOptimizer) opt('--optimizer <name>', `${OPTIMIZERS.join(', ')} (default sgd). ssam-f-implicit: SSAM-F in the implicit form (pass 1 back-propagates input gradients through W ⊙ M, ε dense); fast with an N:M --pattern, correct but not faster with unstructured or structured masks`);
  opt('--sparsity <s>', 'SSAM: fraction of entries NOT perturbed, in [0, 1] (default 0.5)');
  opt('--pattern <p>', 'ssam-f / ssam-f-implicit mask pattern: unstructured, structured or nm:N:M such as nm:2:4 (or 2:4; groups of M input channels; weights whose input size M does not divide are left out). Only N:M runs the sparse kernels of ssam-f-implicit (default unstructured)');
  opt('--rho <r>', 'SAM radius ρ (default 0.05; asam 2.0)');
  if (withOptimizer) opt('--base <name>', 'the base step SAM, ASAM, SSAM-F and SSAM-D wrap: sgd (momentum, coupled L2 decay) or adamw (decoupled decay, betas 0.9, 0.999) (default sgd)');
  opt('--lr <η>', 'peak learning rate (default 0.1; 1e-3 with --base adamw)');
  opt('--momentum <μ>', 'SGD momentum (default 0.9; not with --base adamw)');
  opt('--nesterov', 'Nesterov momentum (not with --base adamw)');
  opt('--weight-decay <λ>', 'weight decay: coupled L2 for sgd (default 5e-4), decoupled for --base adamw (default 0.01)');
  opt('--schedule <name>', 'learning-rate schedule: constant, cosine, multistep, linear (default cosine)');
  opt('--warmup-epochs <n>', 'linear warm-up epochs (default 0)');
  opt('--epochs <n>', 'epochs (default from --budget)');
  opt('--batch-size <n>', 'batch size (default from --budget)');
  opt('--augment', 'augment training batches (CIFAR: crop + flip; MNIST: crop)');
  opt('--label-smoothing <ε>', 'label smoothing (default 0)');
  opt('--fisher-samples <n>', 'SSAM-F: examples per Fisher mask (default 128)');
  opt('--mask-interval <epochs>', 'SSAM: epochs between mask updates (default 1)');
  opt('--drop-rate <r>', 'SSAM-D: initial drop-and-grow rate, cosine-annealed (default 0.5)');
  opt('--train-subset <n>', 'train on the first n training examples (default from --budget)');
  opt('--test-subset <n>', 'evaluate on the first n test examples (default: all)');
  opt('--seed <n>', 'random seed: parameters, data order, masks (default 0)');
  opt('--budget <name>', `preset for the run size: ${BUDGET_NAMES.map((b) => `${b} (${BUDGETS[b].summary})`).join('; ')}. Explicit options win (default ${DEFAULT_BUDGET})`);
  opt('--backend <name>', 'auto, reference or wasm (default auto: wasm when it loads)');
  opt('--threads <n>', 'wasm threads (default SSAM_THREADS, else all cores)');
  opt('--compile', 'run each forward+backward pass as one compiled plan (@ssam/tensor compile): same results bit for bit, less time per step; not with models that use dropout (vgg11, vgg16). Implicit-form and Fisher passes stay eager (default off)');
  opt('--no-compile', 'run every op eagerly (the default)');
  opt('--checkpoint-every <steps>', 'also checkpoint every n steps (default 0: at each epoch end only)');
  opt('--out <dir>', 'output folder (default runs/<generated name>)');
  opt('--resume', 'continue the run in --out from its checkpoint');
  opt('--json', 'print JSON lines (per epoch, then the summary) on stdout instead of text');
  opt('--quiet', 'no progress output');
  return cmd;
}

/** Option keys that shape the training (everything but output, resume and display). */
export const TRAINING_KEYS = [
  'model', 'width', 'data', 'optimizer', 'base', 'sparsity', 'pattern', 'rho', 'lr', 'momentum', 'nesterov', 'weightDecay', 'schedule',
  'warmupEpochs', 'epochs', 'batchSize', 'augment', 'labelSmoothing', 'fisherSamples', 'maskInterval', 'dropRate',
  'trainSubset', 'testSubset', 'seed', 'budget', 'checkpointEvery',
] as const;

/** Options about output and display, not about the run itself. */
const DISPLAY_KEYS: readonly string[] = ['out', 'resume', 'json', 'quiet', 'optimizers', 'seeds'];

/** Only the options the user actually gave (commander reports each value's source). */
export function explicitOptions(cmd: Command): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cmd.opts())) if (cmd.getOptionValueSource(k) === 'cli' || cmd.getOptionValueSource(k) === 'env') out[k] = v;
  return out;
}

/** The raw training options: the budget's defaults under the explicit ones. */
export function withBudget(explicit: Record<string, unknown>): Record<string, unknown> {
  const name = String(explicit.budget ?? DEFAULT_BUDGET);
  if (!(BUDGET_NAMES as readonly string[]).includes(name)) throw new UsageError(`--budget must be one of ${BUDGET_NAMES.join(', ')}; got '${name}'`);
  const raw: Record<string, unknown> = { ...BUDGETS[name as BudgetName].values, budget: name };
  for (const [k, v] of Object.entries(explicit)) if (!DISPLAY_KEYS.includes(k) && v !== undefined) raw[k] = v;
  return raw;
}
