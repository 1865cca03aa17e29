#!/bin/sh
# The Debian package, built and checked like the meson install (issue 19):
#   tests/install/deb.sh [OUTDIR]
# copies the committed files of the source tree (git ls-files, plus debian/) to a scratch
# directory, builds with `dpkg-buildpackage -us -uc -b` (debhelper + meson), runs lintian
# (any error fails), installs the .deb with `apt install ./nabla_*.deb`, runs
# tests/install/test_install.py against /usr (no source tree, a fresh HOME, an empty working
# directory), then removes the package again unless KEEP=1. Needs root and the build tools:
# apt-get install debhelper dpkg-dev lintian (setup.sh's TEST_PACKAGES has them).
# The .deb and the lintian report stay in OUTDIR (default build/deb).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$src/build/deb}
[ "$(id -u)" -eq 0 ] || { echo "deb.sh: run as root (it installs the package)" >&2; exit 2; }
for t in dpkg-buildpackage dh lintian; do
    command -v $t >/dev/null 2>&1 || { echo "deb.sh: $t is missing: apt-get install debhelper dpkg-dev lintian" >&2; exit 2; }
done
if dpkg-query -W -f='${Status}' nabla 2>/dev/null | grep -q "install ok installed"; then
    if [ "${CI:-}" = true ]; then
        apt-get remove -y -qq nabla >/dev/null 2>&1  # left by an earlier run that stopped
    else
        echo "deb.sh: a nabla package is already installed; remove it first (apt-get remove nabla)" >&2; exit 2
    fi
fi
t0=$(date +%s)
work=$(mktemp -d /tmp/nabla-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/nabla" "$out"
rm -f "$out"/nabla_* "$out"/nabla-dbgsym_*
(cd "$src" && git ls-files -z | xargs -0 cp --parents -t "$work/nabla" && cp -r debian "$work/nabla/")
(cd "$work/nabla" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
    { tail -n 40 "$out/build.log"; echo "deb.sh: dpkg-buildpackage failed (log: $out/build.log)"; exit 1; }
cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out/"
t1=$(date +%s)
deb=$(ls "$out"/nabla_*.deb)
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in $((t1 - t0)) s"
status=0
lintian --fail-on error,warning --info "$deb" >"$out/lintian.txt" 2>&1 || status=1
grep -E "^[EW]: " "$out/lintian.txt" || true
t2=$(date +%s)
[ $status -eq 0 ] && echo "lintian: no errors or warnings ($((t2 - t1)) s)" || echo "lintian: errors or warnings (above; $out/lintian.txt)"
export DEBIAN_FRONTEND=noninteractive
(cd "$out" && apt-get install -y -qq "./$(basename "$deb")") >"$out/apt.log" 2>&1 ||
    { cat "$out/apt.log"; echo "deb.sh: apt install failed"; exit 1; }
echo "installed: $(command -v nabla) ($(dpkg-query -W -f='${Version}' nabla)) in $(( $(date +%s) - t2 )) s"
NABLA_INSTALLED=/usr /usr/bin/python3 "$src/tests/install/test_install.py" || status=1
if [ "${KEEP:-0}" != 1 ]; then
    apt-get remove -y -qq nabla >/dev/null 2>&1 || status=1
    [ ! -e /usr/bin/nabla ] && [ ! -e /usr/share/nabla ] || { echo "deb.sh: files left after remove"; status=1; }
fi
echo "deb.sh: $(( $(date +%s) - t0 )) s in all"
exit $status
