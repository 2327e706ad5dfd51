#!/usr/bin/env bash
# `pnpm test`: build (type-checks every package, compiles the WebAssembly kernels), then run every
# package's vitest project. The GPU suite (@ssam/tensor-gpu) needs an X display for headless-gl:
# with none set and xvfb-run installed, the run goes under a virtual display; without xvfb the GL
# tests report themselves as skipped, with the reason in their names.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
if [ -z "${DISPLAY:-}" ] && [ -z "${SSAM_NO_XVFB:-}" ] && command -v xvfb-run >/dev/null 2>&1; then
  exec xvfb-run -a env SSAM_NO_XVFB=1 bash "$0" "$@"
fi
turbo run build --output-logs=errors-only
exec vitest run "$@"
