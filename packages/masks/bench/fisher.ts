// Fisher cost on ResNet-20 as a multiple of one SAM step, once @ssam/models and @ssam/optim
// provide a resnet20 and a SAM step. Until then it reports why it was not measured.
export async function fisherBench(): Promise<string> {
  const models = (await import('../../models/src/index.ts').catch(() => ({}))) as Record<string, unknown>;
  if (typeof models.resnet20 !== 'function')
    return 'Not measured: @ssam/models does not export `resnet20` yet, so there is no ResNet-20 to time the 128-sample Fisher against a SAM step.';
  return 'Not measured: the ResNet-20 Fisher benchmark is not wired yet.';
}
