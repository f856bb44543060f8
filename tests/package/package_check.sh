#!/usr/bin/env bash
# The Debian package, built and used as a user would: builds build/jira-mcp_<version>_<arch>.deb
# with CPack (src/packaging/), unpacks it into a scratch root (dpkg -x), and checks
#   - the installed binary's --version, and an MCP handshake over stdio from the installed path
#     against its sandbox (initialize, tools/list, tools/call: handshake.py);
#   - Depends names the package of every shared library the binary and its HTTP module
#     (/usr/lib/jira-mcp/jira-mcp-net.so) need (readelf, dpkg -S);
#   - the man page, /usr/share/doc/jira-mcp/config.toml.example, /etc/jira-mcp/env (0600, a
#     conffile) and the systemd unit (its settings; `systemd-analyze verify` when there);
#   - `cmake --install` with another prefix and DESTDIR: the unit names that prefix's binary and
#     an existing /etc/jira-mcp/env is kept.
# Exits non-zero on any failure.
#   tests/package/package_check.sh [BUILD_DIR]     (default: build; jira-mcp and jira-mcp-man built)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(realpath "${1:-$src/build}")
cpack=${CPACK:-$(dirname "$(command -v cmake)")/cpack}
# Without the Debian tools it skips, saying so; CI sets JIRA_MCP_REQUIRE_PACKAGE_CHECK=1 and fails instead.
for t in dpkg-deb dpkg-shlibdeps readelf; do
  command -v "$t" >/dev/null && continue
  echo "SKIPPED (needs $t, from dpkg-dev/binutils: apt-get install dpkg-dev binutils): the Debian package is not built or checked"
  [ "${JIRA_MCP_REQUIRE_PACKAGE_CHECK:-}" = 1 ] && { echo "FAIL: JIRA_MCP_REQUIRE_PACKAGE_CHECK=1" >&2; exit 1; }
  exit 0
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

cmake --build "$build" --target jira-mcp jira-mcp-man >/dev/null
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
arch=$(dpkg --print-architecture)
deb="$build/jira-mcp_${version}_${arch}.deb"
rm -f "$deb"
(cd "$build" && "$cpack" -G DEB >"$scratch/cpack.log" 2>&1) || { cat "$scratch/cpack.log" >&2; echo "FAIL: cpack" >&2; exit 1; }
[ -f "$deb" ] || { cat "$scratch/cpack.log" >&2; echo "FAIL: cpack did not write $deb" >&2; exit 1; }
echo "package: $deb ($(stat -c %s "$deb") bytes; installed size $(dpkg-deb -f "$deb" Installed-Size) KiB)"

root="$scratch/root"
dpkg -x "$deb" "$root"
bin="$root/usr/bin/jira-mcp"
[ -x "$bin" ] || fail "no executable /usr/bin/jira-mcp in the package"

# The installed binary runs.
out=$("$bin" --version 2>&1) || fail "jira-mcp --version exited non-zero: $out"
grep -qF "$version" <<<"$out" || fail "jira-mcp --version printed '$out', not version $version"
python3 "$here/handshake.py" "$bin" || fail "the MCP handshake from the installed path"
# The HTTP module (net/net.hpp) is installed where the binary looks for it (the handshake above
# started the sandbox and called a tool through it).
module="$root/usr/lib/jira-mcp/jira-mcp-net.so"
[ -f "$module" ] || fail "no /usr/lib/jira-mcp/jira-mcp-net.so in the package"

# Depends: every library the binary needs comes from a package the .deb depends on.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
[ -n "$depends" ] || fail "the package declares no Depends"
# Every reader below reads its whole input: a reader that stops early (head, awk's exit) would
# end the writer with SIGPIPE, which pipefail turns into a silent exit of this script.
libcache=$(ldconfig -p)
for lib in $(readelf -d "$bin" "$module" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do
  path=$(awk -v l="$lib" '$1 == l && /x86-64|x86_64/ && !p { p = $NF } END { print p }' <<<"$libcache")
  [ -n "$path" ] || path=$(awk -v l="$lib" '$1 == l && !p { p = $NF } END { print p }' <<<"$libcache")
  [ -n "$path" ] || { fail "$lib (NEEDED) is not installed here"; continue; }
  pkg=$( { dpkg -S "$(realpath "$path")" 2>/dev/null || dpkg -S "$path" 2>/dev/null || true; } |
         awk -F: 'NR == 1 { print $1 }')
  [ -n "$pkg" ] || { fail "no package owns $path ($lib)"; continue; }
  tr ',' '\n' <<<"$depends" | awk '{ print $1 }' | grep -xF "$pkg" >/dev/null || fail "Depends lacks $pkg (for $lib)"
done

# Documentation.
doc="$root/usr/share/doc/jira-mcp/config.toml.example"
cmp -s "$doc" "$src/config.toml.example" || fail "/usr/share/doc/jira-mcp/config.toml.example missing or not the source's"
man="$root/usr/share/man/man1/jira-mcp.1.gz"
if [ -f "$man" ]; then
  zcat "$man" | grep -q '^\.TH JIRA-MCP 1' || fail "jira-mcp.1 has no .TH header"
  zcat "$man" | grep -qF -- '--version' || fail "jira-mcp.1 does not document --version"
  if command -v groff >/dev/null; then
    warnings=$(zcat "$man" | groff -man -Tutf8 -ww -z 2>&1) || true
    [ -z "$warnings" ] || fail "groff warns about jira-mcp.1: $warnings"
  fi
else
  fail "no /usr/share/man/man1/jira-mcp.1.gz"
fi

# The service's environment file: root-only, a conffile.
env_line=$(dpkg-deb -c "$deb" | grep ' \./etc/jira-mcp/env$' || true)
[[ "$env_line" == "-rw------- root/root "* ]] || fail "/etc/jira-mcp/env is not -rw------- root/root: '$env_line'"
dpkg-deb -I "$deb" conffiles 2>/dev/null | grep -qx /etc/jira-mcp/env || fail "/etc/jira-mcp/env is not a conffile"

# The systemd unit.
unit="$root/usr/lib/systemd/system/jira-mcp.service"
if [ -f "$unit" ]; then
  for want in "ExecStart=/usr/bin/jira-mcp --transport http" "EnvironmentFile=/etc/jira-mcp/env" \
              "DynamicUser=yes" "Restart=on-failure" "NoNewPrivileges=yes" "ProtectSystem=strict" \
              "ProtectHome=yes" "PrivateTmp=yes" "WantedBy=multi-user.target"; do
    grep -qxF "$want" "$unit" || fail "the unit lacks '$want'"
  done
  if command -v systemd-analyze >/dev/null; then
    # verify requires ExecStart's binary to exist: a copy of the unit starts the unpacked one.
    # Any output (an unknown or misspelt setting is only a warning) fails the check.
    sed "s|^ExecStart=/usr/bin/jira-mcp|ExecStart=$bin|" "$unit" >"$scratch/jira-mcp.service"
    if ! v=$(systemd-analyze verify --man=no "$scratch/jira-mcp.service" 2>&1) || [ -n "$v" ]; then
      fail "systemd-analyze verify: $v"
    fi
  else
    echo "SKIPPED (needs systemd-analyze, from systemd): the unit is not verified by systemd"
  fi
else
  fail "no /usr/lib/systemd/system/jira-mcp.service"
fi

# make install's half: another prefix under DESTDIR; an existing env file is kept.
dest="$scratch/dest"
mkdir -p "$dest/etc/jira-mcp"
echo "JIRA_API_TOKEN=kept" >"$dest/etc/jira-mcp/env"
DESTDIR="$dest" cmake --install "$build" --prefix /opt/jm >/dev/null
[ -x "$dest/opt/jm/bin/jira-mcp" ] || fail "cmake --install --prefix /opt/jm: no bin/jira-mcp"
[ -f "$dest/opt/jm/lib/jira-mcp/jira-mcp-net.so" ] || fail "cmake --install --prefix /opt/jm: no lib/jira-mcp/jira-mcp-net.so"
grep -qx "ExecStart=/opt/jm/bin/jira-mcp --transport http" "$dest/opt/jm/lib/systemd/system/jira-mcp.service" 2>/dev/null ||
  fail "cmake --install --prefix /opt/jm: the unit does not start /opt/jm/bin/jira-mcp"
[ "$(cat "$dest/etc/jira-mcp/env")" = "JIRA_API_TOKEN=kept" ] || fail "cmake --install overwrote an existing /etc/jira-mcp/env"

if [ "$failures" -gt 0 ]; then
  echo "package check: $failures failure(s)" >&2
  exit 1
fi
echo "package check: passed ($deb)"
