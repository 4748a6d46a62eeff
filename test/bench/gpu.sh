#!/usr/bin/env bash
# The real-scale engine benchmark on a machine with a GPU, in one command (issue 12):
#   bash test/bench/gpu.sh [models-dir]
# Writes the real-scale models once (SD1.5 architectures, random weights, ~10 GB; skipped when present), then runs
# `npm run bench -- engine --scale real` at 512² on WebGPU and, where ONNX Runtime's CUDA provider libraries are
# installed, on CUDA, one JSON line per provider on stdout (a provider that cannot run reports its error). Run it
# after the README's install, from the repository root.
set -euo pipefail
models="${1:-.cache/real-scale/models}"
if [ ! -f "$models/sd15-real/unet/model.onnx" ]; then
  npm run -s fixtures -- --scale real --out "$models" >&2
fi
for provider in webgpu cuda; do
  IIR_BENCH_SIZES=512 npm run -s bench -- engine --scale real --models "$models" --provider "$provider" --json
done
