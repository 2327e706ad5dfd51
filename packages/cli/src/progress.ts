import cliProgress from 'cli-progress';

/** What the training loop reports; the CLI turns it into bars, JSON lines or nothing. */
export interface ProgressSink {
  start(label: string, epochs: number, stepsPerEpoch: number): void;
  step(info: { epoch: number; step: number; loss: number; acc: number }): void;
  epochEnd(info: { epoch: number; trainLoss: number; testAcc: number; seconds: number }): void;
  stop(): void;
}

export const silentProgress: ProgressSink = { start() {}, step() {}, epochEnd() {}, stop() {} };

/** Progress bars on a TTY (cli-progress), one line per epoch elsewhere (logs, CI). */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  let bar: cliProgress.SingleBar | undefined;
  let label = '';
  let total = 0;
  return {
    start(l, epochs, stepsPerEpoch) {
      label = l;
      total = epochs * stepsPerEpoch;
      if (stream.isTTY) {
        bar = new cliProgress.SingleBar(
          { format: `${l.padEnd(14)} {bar} {percentage}% | epoch {epoch}/${epochs} | loss {loss} | acc {acc} | test {test} | ETA {eta_formatted}`, hideCursor: true, stream, clearOnComplete: false, barsize: 30 },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { epoch: 1, loss: '-', acc: '-', test: '-' });
      }
    },
    step({ epoch, step, loss, acc }) {
      bar?.update(step, { epoch, loss: loss.toFixed(4), acc: acc.toFixed(3) });
    },
    epochEnd({ epoch, trainLoss, testAcc, seconds }) {
      bar?.update({ test: `${(testAcc * 100).toFixed(2)}%` });
      if (!bar) stream.write(`${label}: epoch ${epoch} train loss ${trainLoss.toFixed(4)} test acc ${(testAcc * 100).toFixed(2)}% (${seconds.toFixed(1)} s)\n`);
    },
    stop() {
      bar?.update(total);
      bar?.stop();
      bar = undefined;
    },
  };
}
