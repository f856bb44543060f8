#!/usr/bin/env python3
# The HTTP front door against abuse, on the real binary (Linux; loopback):
#   benches/http_front_door.py build/jira-mcp PORT [N=2300]
# starts `jira-mcp --sandbox --transport http`, opens N connections (from 127.0.2.x) that send
# their request headers a byte every 2 s, and prints the server's threads, RSS and /healthz
# latency while they are open and after they close; then sends a 64 MiB chunked body and
# 64 MiB of headers and prints what was refused and how much the kernel took first.
import os, socket, subprocess, sys, tempfile, time, resource
BIN, PORT = sys.argv[1], int(sys.argv[2])
N = int(sys.argv[3]) if len(sys.argv) > 3 else 2300
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
if hard < N + 200:
    N = hard - 200
    print(f"RLIMIT_NOFILE hard limit {hard}: using {N} connections")
cfg = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
cfg.write(f"[http]\nmax_connections_per_client = {N + 100}\n")  # the flood may come from one host
cfg.close()
p = subprocess.Popen([BIN, "--sandbox", "--transport", "http", "--port", str(PORT), "--config", cfg.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard)))
def stat():
    threads = len(os.listdir(f"/proc/{p.pid}/task"))
    rss = int(open(f"/proc/{p.pid}/statm").read().split()[1]) * 4096 // 1024
    return f"threads {threads}, RSS {rss/1024:.1f} MiB"
def health():
    t = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", PORT))
    s.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nConnection: close\r\n\r\n".encode())
    d = b""
    while True:
        c = s.recv(4096)
        if not c: break
        d += c
    s.close()
    return d.split(b"\r\n")[0].decode(), (time.perf_counter() - t) * 1000
for _ in range(100):
    try:
        health(); break
    except OSError: time.sleep(0.1)
print("idle:", stat(), "healthz", health())
slow = []
for i in range(N):
    s = socket.socket()
    s.bind((f"127.0.2.{1 + i // 400}", 0))
    s.connect(("127.0.0.1", PORT))
    s.send(b"P")
    slow.append(s)
time.sleep(0.5)
for rnd, ch in enumerate(b"OST "):
    for s in slow: s.send(bytes([ch]))
    print(f"{N} slow open, round {rnd}:", stat(), "healthz", health())
    time.sleep(2)
for s in slow: s.close()
time.sleep(1)
print("after closing:", stat(), "healthz", health())
# 64 MiB chunked
s = socket.create_connection(("127.0.0.1", PORT))
s.sendall(f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nContent-Type: application/json\r\nAccept: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
sent = 0
piece = b"10000\r\n" + b"x" * 65536 + b"\r\n"
try:
    s.settimeout(5)
    while sent < 64 << 20:
        s.sendall(piece); sent += 65536
except OSError: pass
try: ans = s.recv(200).split(b"\r\n")[0]
except OSError as e: ans = repr(e)
s.close()
print(f"chunked: {sent>>10} KiB sent, answer {ans}:", stat())
# 64 MiB of headers
s = socket.create_connection(("127.0.0.1", PORT))
s.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n".encode())
sent = 0
lines = b"X-F: " + b"f" * 58 + b"\r\n"
lines *= 1000
try:
    s.settimeout(5)
    while sent < 64 << 20:
        s.sendall(lines); sent += len(lines)
except OSError: pass
try: ans = s.recv(200).split(b"\r\n")[0]
except OSError as e: ans = repr(e)
s.close()
time.sleep(0.5)
print(f"headers: {sent>>10} KiB sent, answer {ans}:", stat())
p.terminate(); p.wait()
os.unlink(cfg.name)
