/**
 * `ssam train --help | head` closes stdout while ssam still writes. Node then emits an EPIPE
 * 'error' on the stream, which, unhandled, kills the process with a stack trace. A reader that
 * has seen enough is not a failure: the process ends quietly, with the exit code given (0).
 * `process.exit` runs the 'exit' handlers, so a run's lock is released (run-lock.ts); the last
 * checkpoint of a run stopped this way is intact and `--resume` continues it.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.EventEmitter, exit: (code: number) => void, code = 0): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e?.code === 'EPIPE' || e?.code === 'ERR_STREAM_DESTROYED') return exit(code);
    // Any other write error is a real failure; re-throwing keeps node's default report for it.
    throw e;
  });
}
