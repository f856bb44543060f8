#!/bin/bash
# benches/uncached_read/run.sh BIN: issue 16's uncached-read comparison. nginx (not a dependency of
# jira-mcp: `apt-get install nginx-light`) serves a generated Jira Cloud issue (ADF description, 10
# ADF comments) on a free loopback port as Jira answers each query (gen.py): with expand=names,schema
# all 92 fields and the names/schema maps (52 KB), else the asked-for fields (38 KB), plus a 92-field
# /field. Prints nginx's own p50 (a C++ keep-alive client) for the one-request read and for the
# two-request read (issue + /field), then jira-mcp with the cache off and the limiter out of the
# way, and with the shipped limiter defaults (cache off).
set -euo pipefail
BIN=$(realpath "${1:-build/jira-mcp}")
here=$(cd "$(dirname "$0")" && pwd)
command -v nginx >/dev/null || { echo "uncached_read: nginx is not installed (apt-get install nginx-light); skipped" >&2; exit 0; }
dir=$(mktemp -d)
trap '[ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null; rm -rf "$dir"' EXIT
(cd "$dir" && python3 "$here/gen.py" >/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$dir/nginx.conf" <<EOC
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir; uwsgi_temp_path $dir; scgi_temp_path $dir;
  map \$arg_expand \$issue_file { default issue.json; "~names" issue_all.json; }
  server {
    listen 127.0.0.1:$port;
    default_type application/json;
    location = /rest/api/3/issue/PROJ-1 { root $dir; try_files /\$issue_file =404; }
    location = /rest/api/3/field { alias $dir/field.json; }
    location = /rest/api/3/serverInfo { alias $dir/serverInfo.json; }
    location = /rest/api/3/myself { alias $dir/myself.json; }
  }
}
EOC
nginx -c "$dir/nginx.conf"
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/rest/api/3/field" && break; sleep 0.1; done
g++ -O2 -std=c++20 "$here/nginx_alone.cpp" -o "$dir/nginx_alone" $(pkg-config --cflags --libs cpp-httplib) -lssl -lcrypto -lpthread
"$dir/nginx_alone" "$port"
printf '[performance.cache]\nenabled = false\n[performance.async]\nrate_limit_requests_per_second = 10000.0\nrate_limit_burst = 100000\n' > "$dir/off.toml"
printf '[performance.cache]\nenabled = false\n' > "$dir/defaults.toml"
python3 "$here/drive.py" "$BIN" "http://127.0.0.1:$port" "$dir/off.toml" 300 1000
python3 "$here/drive.py" "$BIN" "http://127.0.0.1:$port" "$dir/defaults.toml" 300 0
