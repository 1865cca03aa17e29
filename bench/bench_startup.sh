#!/bin/sh
# Start-up time of `nabla -e 'return 1'` against bare lua5.4 and PyTorch's import, measured
# in the same run (hyperfine when installed, else a loop of 50 runs).
# usage: bench/bench_startup.sh [path/to/nabla]
set -eu
NABLA=${1:-build/nabla}
RUNS=50
ms() { # average wall time of a command over $RUNS runs, in ms
    start=$(date +%s%N)
    i=0
    while [ $i -lt $RUNS ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
    end=$(date +%s%N)
    echo $(( (end - start) / RUNS / 1000 )) | awk '{printf "%.1f", $1 / 1000}'
}
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 5 --runs $RUNS "$NABLA -e 'return 1'" "lua5.4 -e 'return 1'"
else
    n=$(ms "$NABLA" -e 'return 1')
    l=$(ms lua5.4 -e 'return 1')
    echo "nabla -e 'return 1': $n ms   lua5.4 -e 'return 1': $l ms   (target: under 30 ms)"
fi
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    s=$(date +%s%N); /usr/bin/python3 -c 'import torch'; e=$(date +%s%N)
    echo "python3 -c 'import torch' (once): $(( (e - s) / 1000000 )) ms"
fi
