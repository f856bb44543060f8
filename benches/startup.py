#!/usr/bin/env python3
# Start-up to the initialize reply over stdio, on the real binary (Linux; loopback):
#   benches/startup.py build/jira-mcp [N=20]
# starts the binary N times per case, sends initialize at once and times spawn -> the reply
# line; prints median, p90 and min per case, and the same for `--version` (the process floor:
# loading, relocation, the libraries' own initialisers, configuration). Cases:
#   jira      a Jira URL nothing listens on (the server must not contact it to answer);
#   silent    a Jira that accepts connections and never answers, deployment = auto;
#   sandbox   no Jira configured: the built-in sandbox is started first.
import os, socket, statistics, subprocess, sys, threading, time
BIN = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 20
INIT = (b'{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",'
        b'"capabilities":{},"clientInfo":{"name":"startup","version":"1"}}}\n')

silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen(128)
held = []
def accept_forever():
    while True:
        try:
            held.append(silent.accept()[0])
        except OSError:
            return
threading.Thread(target=accept_forever, daemon=True).start()
refused = socket.socket()
refused.bind(("127.0.0.1", 0))
refused_port = refused.getsockname()[1]
refused.close()

base = {k: v for k, v in os.environ.items() if not k.startswith("JIRA_")}
base.update(JIRA_MCP_LOG_LEVEL="warn", HOME=os.environ.get("HOME", "/tmp"))
creds = dict(JIRA_EMAIL="someone@example.com", JIRA_API_TOKEN="unused")
cases = [
    ("jira", dict(base, JIRA_URL=f"http://127.0.0.1:{refused_port}", JIRA_DEPLOYMENT="cloud", **creds)),
    ("silent", dict(base, JIRA_URL="http://127.0.0.1:%d" % silent.getsockname()[1], JIRA_DEPLOYMENT="auto", **creds)),
    ("sandbox", dict(base)),
]

def summary(name, ms):
    ms.sort()
    print(f"{name:8} n={len(ms)} median {statistics.median(ms):6.2f} ms  p90 {ms[int(0.9 * (len(ms) - 1))]:6.2f} ms  "
          f"min {ms[0]:6.2f} ms")

def one_start(env):
    t0 = time.perf_counter()
    p = subprocess.Popen([BIN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    p.stdin.write(INIT)
    p.stdin.flush()
    line = p.stdout.readline()
    elapsed = (time.perf_counter() - t0) * 1000
    if b'"result"' not in line:
        sys.exit(f"no initialize reply: {line[:200]!r}")
    p.stdin.close()
    p.wait()
    return elapsed

for name, env in cases:
    one_start(env)  # page cache warm
    summary(name, [one_start(env) for _ in range(N)])
version = []
for _ in range(N):
    t0 = time.perf_counter()
    subprocess.run([BIN, "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=base, check=True)
    version.append((time.perf_counter() - t0) * 1000)
summary("--version", version)
