#!/bin/sh
# Replays the committed seed corpora through the fuzz targets, then fuzzes each target for
# SECONDS (default 30), one at a time, from a fixed seed (FUZZ_SEED, default 1). The seed
# does not make two runs explore the same inputs (Lua's string hashes and the addresses
# differ from run to run, and the time budget gives a faster machine more executions): a
# CI run may find what a local one did not, so run longer locally, from several seeds,
# before a change lands (FUZZ_SEED=2 tests/fuzz/run.sh build-san 300). New inputs go to a
# scratch directory, never into the committed corpora; a finding's input is kept as
# BUILD/fuzz-artifacts/<target>-{crash,oom,timeout,leak}-*; add it to the target's corpus
# once fixed.
#   tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
# Exits non-zero on any finding. Prints each target's executions ("stat::number_of_executed_units").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
secs=${2:-30}
shift $(( $# >= 2 ? 2 : 1 ))
targets=${*:-"fuzz_idx fuzz_checkpoint fuzz_ops fuzz_png fuzz_http"}
art="$build/fuzz-artifacts"
mkdir -p "$art"
export OMP_NUM_THREADS=1 NABLA_PATH="$here/../../lua"
# leaks are findings too; UBSan reports stop the run
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$here/../sanitizer/ubsan.supp}"
status=0
for t in $targets; do
    corpus="$here/corpus/${t#fuzz_}"
    exe="$build/tests/fuzz/$t"
    scratch=$(mktemp -d)
    echo "== $t: replaying $(ls "$corpus" | wc -l) seeds from tests/fuzz/corpus/${t#fuzz_}"
    if ! "$exe" -runs=0 "$corpus" > "$scratch/replay.log" 2>&1; then
        tail -40 "$scratch/replay.log"; echo "$t: a seed fails"; status=1; rm -rf "$scratch"; continue
    fi
    if [ "$secs" -gt 0 ]; then
        echo "== $t: fuzzing for $secs s"
        if "$exe" -max_total_time="$secs" -seed="${FUZZ_SEED:-1}" -timeout=20 -rss_limit_mb=4096 -max_len=4096 \
               -print_final_stats=1 -artifact_prefix="$art/$t-" "$scratch" "$corpus" \
               > "$scratch/fuzz.log" 2>&1; then
            grep -E "stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb" "$scratch/fuzz.log" | tr '\n' ' '; echo
        else
            tail -60 "$scratch/fuzz.log"; echo "$t: FINDING (input in $art)"; status=1
        fi
    fi
    rm -rf "$scratch"
done
exit $status
