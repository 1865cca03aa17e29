#!/bin/sh
# Runs nabla's benchmarks and the PyTorch reference, then a summary against the targets.
#   ninja -C build bench          (or: bench/run.sh build .)
# Takes about six minutes on 2 quiet cores (bench_epochs trains five models in both frameworks for
# a third of an epoch, three times); run it on a quiet machine. On a busy one, threads that
# wait for a core distort every 2-thread figure: NABLA_NUM_THREADS=1 runs both frameworks
# on one thread (the PyTorch scripts read it too).
build=${1:-build}
src=${2:-.}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if [ -n "$OPENBLAS_CORETYPE" ]; then
    echo "note: OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE is set in this environment; nabla would respect it."
    echo "      The benchmarks run without it, to show nabla's own choice of kernels (the Haswell"
    echo "      kernels are measured separately below)."
    unset OPENBLAS_CORETYPE
fi
export NABLA_PATH="$src/lua"

for b in "$build"/bench/bench_*; do
    [ -f "$b" ] && [ -x "$b" ] || continue
    name=$(basename "$b")
    echo "== $name"
    "$b" | tee "$out/$name.txt"
    echo
done
for f in "$src"/bench/bench_*.lua; do
    name=$(basename "$f" .lua)
    echo "== $name"
    "$build/nabla" "$f" | tee "$out/$name.txt"
    echo
done
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "== PyTorch (bench/torch_ref.py)"
    /usr/bin/python3 "$src/bench/torch_ref.py" | tee "$out/torch.txt"
    echo
else
    echo "(no PyTorch in /usr/bin/python3: install python3-torch for the reference figures)"
fi

# summary: nabla against PyTorch and against the targets
num() { sed -n "$2" "$out/$1" 2>/dev/null | head -1; }
mm_nb=$(num bench_mm.txt 's/^ *1024 *\([0-9.]*\) .*/\1/p')
mm_t=$(num torch.txt 's/^ *mm  *1024 *\([0-9.]*\) GFLOP.*/\1/p')
add_nb=$(num bench_overhead.txt 's/^tiny add[^:]*: *\([0-9.]*\) us.*/\1/p')
add_t=$(num torch.txt 's/^tiny add[^:]*: *\([0-9.]*\) us.*/\1/p')
gd_nb=$(num bench_gd.txt 's/^gradient-descent step.*: *\([0-9.]*\) us.*/\1/p')
gd_t=$(num torch.txt 's/^gradient-descent step.*: *\([0-9.]*\) us.*/\1/p')
echo "== summary (nabla vs PyTorch on this machine; target in brackets)"
awk -v a="$mm_nb" -v b="$mm_t" -v c="$add_nb" -v d="$add_t" -v e="$gd_nb" -v f="$gd_t" 'BEGIN {
    r = (a != "" && b != "") ? sprintf("%.2f×", a / b) : "?"
    printf "  mm 1024²:  nabla %s GFLOP/s, torch %s GFLOP/s: %s faster   [≥ 1.5×]\n", a, b, r
    r = (c != "" && d != "") ? sprintf("%.1f×", d / c) : "?"
    printf "  tiny add:  nabla %s µs, torch %s µs: %s faster   [≤ 0.5 µs]\n", c, d, r
    r = (e != "" && f != "") ? sprintf("%.1f×", f / e) : "?"
    printf "  GD step:   nabla %s µs, torch %s µs: %s faster   [≤ 10 µs]\n", e, f, r
}'
awk '/^(LSTM|GRU) fwd\+bwd/ { printf "  %-5s step: nabla %s ms, torch %s ms: ratio %s   [≤ 1.0]\n", $1, $(NF-2), $(NF-1), $NF }' "$out/bench_rnn.txt" 2>/dev/null
sed -n 's/^worst: /  epochs: worst /p' "$out/bench_epochs.txt" 2>/dev/null
