#!/bin/sh
# nabla's set-up, for a fresh Debian 12 machine (as root, or with sudo):
#   ./setup.sh run [args]   install what is missing, build, start the nabla shell
#   ./setup.sh test         install what is missing, build, run the whole test suite
#   ./setup.sh build        install what is missing and build
#   ./setup.sh install [PREFIX]  build, then install nabla into PREFIX (default /usr/local: as
#                           root, or through sudo), so that `nabla` is on the PATH
#   ./setup.sh jupyter [args]  also Jupyter: installs the nabla kernel, writes the lessons
#                           as notebooks in notebooks/, starts a notebook server there
# The test run ends with one line "N passed, N failed" and exits non-zero on any failure.
set -eu
cd "$(dirname "$0")"

PACKAGES="meson ninja-build pkg-config gcc libc6-dev liblua5.4-dev lua5.4 libreadline-dev libopenblas-dev python3
libcivetweb-dev libpng-dev libcjson-dev"
# Only for the tests: notebooks run on the Jupyter kernel (tests/jupyter); the browser tests
# (tests/web) drive Debian's chromium with python3-selenium through chromium-driver;
# fonts-nanum draws the Korean pages in their screenshots. ./setup.sh run needs none of it.
# clang, libFuzzer and LLVM's OpenMP: .ci/run's sanitizer and fuzzing build (build-san).
# debhelper and lintian: .ci/run builds, checks and installs the Debian package (tests/install/deb.sh).
TEST_PACKAGES="python3-numpy python3-ipykernel python3-nbclient python3-nbformat chromium chromium-driver python3-selenium fonts-nanum
clang libfuzzer-14-dev libclang-rt-14-dev libomp-14-dev debhelper lintian"
JUPYTER_PACKAGES="jupyter-notebook python3-ipykernel python3-nbclient python3-nbformat"

install_missing() {
    missing=""
    for p in $PACKAGES ${1:-}; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "nabla: installing Debian packages:$missing" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

build() {
    install_missing "${1:-}"
    if [ -f build/build.ninja ]; then
        meson setup --reconfigure build >/dev/null
    else
        meson setup build >/dev/null
    fi
    ninja -C build >/dev/null
}

cmd="${1:-run}"
[ $# -gt 0 ] && shift
case "$cmd" in
run)
    build
    exec ./build/nabla "$@"
    ;;
build)
    build
    ;;
jupyter)
    build "$JUPYTER_PACKAGES"
    ./build/nabla jupyter install
    ./build/nabla jupyter notebooks notebooks   # keeps notebooks a learner already has
    root=""
    [ "$(id -u)" -eq 0 ] && root="--allow-root"
    exec jupyter-notebook --notebook-dir=notebooks $root "$@"
    ;;
install)
    prefix="${1:-/usr/local}"
    build
    meson configure build -Dprefix="$prefix" >/dev/null
    ninja -C build >/dev/null
    SUDO=""
    if [ "$(id -u)" -ne 0 ] && ! { mkdir -p "$prefix" 2>/dev/null && [ -w "$prefix" ]; }; then SUDO="sudo"; fi
    $SUDO meson install -C build --quiet >/dev/null
    echo "nabla: installed into $prefix ($prefix/bin/nabla; man nabla; nabla run --list)"
    case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "nabla: $prefix/bin is not on your PATH: add it (export PATH=\"$prefix/bin:\$PATH\")" ;;
    esac
    ;;
test)
    build "$TEST_PACKAGES"
    status=0
    meson test -C build --print-errorlogs --num-processes 2 "$@" || status=$?
    log=build/meson-logs/testlog.json
    passed=$(grep -c '"result": "OK"' "$log" || true)
    failed=$(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log" || true)
    skipped=$(grep -c '"result": "SKIP"' "$log" || true)
    [ "$passed" -gt 0 ] || status=1
    [ "$skipped" -eq 0 ] || echo "$skipped skipped"
    echo "$passed passed, $failed failed"
    exit $status
    ;;
*)
    echo "usage: ./setup.sh run [args] | test | build | install [PREFIX] | jupyter [args]" >&2
    exit 2
    ;;
esac
