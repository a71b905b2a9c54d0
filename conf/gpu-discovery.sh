#!/usr/bin/env bash
# Spark's GPU discovery script (spark.executor.resource.gpu.discoveryScript; conf/spark-gpu.conf): prints the
# executor's GPUs as Spark's ResourceInformation JSON, {"name": "gpu", "addresses": ["0", "1", ...]}.
# The addresses are CUDA device ordinals as nvidia-smi numbers them; teacher-logits hands a task's first address
# to PyTorch as cuda:N, so do not renumber devices with CUDA_VISIBLE_DEVICES on the executors.
set -euo pipefail
if ! indices="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1)"; then
  echo "gpu-discovery.sh: nvidia-smi failed on $(hostname): $indices" >&2
  exit 1
fi
addresses="$(echo "$indices" | tr -d ' ' | grep -E '^[0-9]+$' | sed 's/.*/"&"/' | paste -sd, -)"
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
