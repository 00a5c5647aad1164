#!/usr/bin/env bash
# Render emulab_genilib and every profiles/*.py to a request RSpec with geni-lib and check them
# (node names and count, hardware type, disk image, one LAN over every node, bundled single-file
# profiles identical, invalid parameters rejected). Needs python3 (+ venv) and PyPI access only.
# Usage: Tests/profiles/render_profiles.sh        (from anywhere; exit status 0 = all good)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
GENILIB_VERSION=0.9.9.4

die() { echo "render_profiles: $*" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/render-profiles.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Debian's python3 has no ensurepip until python3-venv is installed.
if ! python3 -m venv "$TMP/venv" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "render_profiles: installing python3-venv"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$TMP/venv"
    python3 -m venv "$TMP/venv" || die "python3 -m venv failed"
  else
    die "python3 -m venv failed; install python3-venv"
  fi
fi
PY="$TMP/venv/bin/python"
echo "render_profiles: installing geni-lib $GENILIB_VERSION into a throw-away venv"
"$PY" -m pip install -q --disable-pip-version-check "geni-lib==$GENILIB_VERSION" six lxml \
  || die "pip install geni-lib==$GENILIB_VERSION six lxml failed"

GENI=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/geni
[ -f "$GENI/portal.py" ] && [ -f "$GENI/rspec/pg.py" ] || die "geni-lib not found under $GENI"

# geni-lib 0.9.9.4 (the newest on PyPI) is still Python 2 in two places we hit; the Emulab/CloudLab
# portal runs its own, fixed geni-lib, so we patch only this throw-away copy:
# 1. geni/portal.py has Python 2 print statements, so `import geni.portal` is a SyntaxError on
#    Python 3. lib2to3's print fixer rewrites them. Run it from $TMP, not from inside geni/:
#    geni/ has its own types.py, which would shadow the standard library's `types` module.
(cd "$TMP" && "$PY" -W ignore -m lib2to3 -f print -w -n "$GENI/portal.py" >/dev/null 2>&1) \
  || die "lib2to3 could not fix $GENI/portal.py"
# 2. Request.writeXML (used by printRequestRSpec) writes lxml's bytes to the text stream sys.stdout
#    (TypeError on Python 3); make it ask toXMLString for a str (ucode=True).
sed -i 's/buf = self\.toXMLString(True)$/buf = self.toXMLString(True, ucode=True)/' "$GENI/rspec/pg.py"
grep -q 'toXMLString(True, ucode=True)' "$GENI/rspec/pg.py" || die "could not patch Request.writeXML"
(cd "$TMP" && "$PY" -c 'import geni.portal, geni.rspec.pg, geni.rspec.emulab') \
  || die "patched geni-lib does not import"

(cd "$TMP" && "$PY" "$HERE/check_rspecs.py" "$REPO" "$TMP") || die "profile check FAILED (see above)"
