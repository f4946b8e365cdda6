"""Serve an app with gunicorn on 127.0.0.1 and drive it with a small raw-socket HTTP client."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A running gunicorn: its master process and port."""

    process: subprocess.Popen
    port: int

    def cpu_seconds(self) -> float:
        """Return the CPU time used so far by the master, its workers and their children."""
        return tree_cpu_seconds(self.process.pid)


@dataclass
class Load:
    """What one load run achieved."""

    requests: int
    errors: int
    seconds: float
    server_cpu: float
    client_cpu: float
    response_bytes: int

    @property
    def rps(self) -> float:
        """Return successful requests per second."""
        return self.requests / self.seconds

    @property
    def cpu_per_request(self) -> float:
        """Return the server CPU seconds spent per request."""
        return self.server_cpu / max(self.requests, 1)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    app: str,
    workers: int,
    env: dict[str, str],
    probe: str = "/",
    python: str = sys.executable,
    chdir: Path = ROOT,
) -> Iterator[Server]:
    """Run `gunicorn app` on 127.0.0.1; always stop it afterwards.

    The worker class is sync, which gunicorn.conf.py's threads (WIKI_GUNICORN_THREADS,
    32 unless set) turn into gthread, as the wiki is shipped: pass
    WIKI_GUNICORN_THREADS=1 in env for a sync worker.

    python and chdir: the interpreter whose gunicorn runs and the folder it runs in (another
    venv's and checkout's, for another wiki or another version of this one).
    """
    port = free_port()
    command = [
        *(python, "-m", "gunicorn", "--workers", str(workers)),
        *("--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--chdir", str(chdir)),
        *("--log-level", "warning", app),
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # its own process group: workers are stopped with it
        )
        try:
            _wait_ready(process, port, probe, log)
            yield Server(process, port)
        finally:
            _stop(process)


def _wait_ready(process: subprocess.Popen, port: int, path: str, log, timeout=60.0) -> None:
    """Wait until the server answers path with 200, or raise with its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            status, _ = fetch(port, path)
        except OSError:
            time.sleep(0.1)
            continue
        if status == 200:
            return
        raise RuntimeError(f"GET {path} answered {status} on port {port}")
    log.seek(0)
    raise RuntimeError(f"gunicorn did not start:\n{log.read().decode(errors='replace')}")


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn gracefully, then by force; also its workers and their children."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        # Anything left in the group (a stuck worker, a render child) goes too.
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Return the status and raw bytes of one GET on a fresh connection."""
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request.encode())
        chunks = []
        while data := sock.recv(262144):
            chunks.append(data)
    raw = b"".join(chunks)
    return int(raw.split(b" ", 2)[1]), raw


def load(
    server: Server,
    path: str,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
) -> Load:
    """Send GET path from `connections` threads for `seconds`, one connection per request
    (with headers, e.g. a logged-in person's session cookie)."""
    done, failed, sizes = [0] * connections, [0] * connections, [0] * connections
    deadline = time.perf_counter() + seconds

    def run(i: int) -> None:
        while time.perf_counter() < deadline:
            try:
                status, raw = fetch(server.port, path, headers)
            except OSError:
                failed[i] += 1
                continue
            if status == 200:
                done[i] += 1
                sizes[i] = len(raw)
            else:
                failed[i] += 1

    # Daemons: if the run is interrupted, the process may exit without waiting for them.
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(connections)]
    cpu, client_cpu, start = server.cpu_seconds(), time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return Load(
        requests=sum(done),
        errors=sum(failed),
        seconds=elapsed,
        server_cpu=server.cpu_seconds() - cpu,
        client_cpu=time.process_time() - client_cpu,
        response_bytes=max(sizes),
    )


def tree_cpu_seconds(root: int) -> float:
    """Return user+system CPU seconds of a process and all its live descendants (Linux)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After "pid (comm)": state ppid ... utime(14th field) stime(15th field).
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / _TICK
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(pid, 0.0) for pid in tree)
