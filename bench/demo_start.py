"""How long ``thudo demo`` takes from a fresh data directory to its first page (issue 11).

    python bench/demo_start.py --output bench/results/demo-start-YYYYMMDD.json

Starts ``thudo demo --port P`` (a free port) with a new THUDO_DATA_DIR in a temporary folder,
its output to a pipe (not a terminal), polls ``/`` until it answers 200, notes the seconds, the
machine's load and the CPU time the demo used until then (close to the wall time on an idle
machine, whatever the load when measured), then sends SIGINT and checks that the demo and its
children are gone. Run it on an idle machine for the figure in the README.
"""

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

TIMEOUT = 900  # seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status == 200
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and of its children it has waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", type=Path)
    parser.add_argument("--thudo", default=str(Path(sys.executable).with_name("thudo")))
    args = parser.parse_args()
    port = free_port()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="thudo-demo-") as data_dir:
        env = {**os.environ, "THUDO_DATA_DIR": data_dir}
        env.pop("THUDO_DATABASE_URL", None)
        began = time.monotonic()
        demo = subprocess.Popen(
            [args.thudo, "demo", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # as from a terminal, even when this script runs as a background job (SIGINT ignored)
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        lines: list[tuple[float, str]] = []

        def read() -> None:
            for line in demo.stdout:
                lines.append((round(time.monotonic() - began, 1), line.rstrip()))

        threading.Thread(target=read, daemon=True).start()
        first_page = None
        while time.monotonic() - began < TIMEOUT and demo.poll() is None:
            if answers(f"http://127.0.0.1:{port}/"):
                first_page = time.monotonic() - began
                break
            time.sleep(0.5)
        load_during = os.getloadavg()
        kids = children(demo.pid)
        cpu = cpu_seconds(demo.pid) if first_page is not None else None
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=60)
            stopped = True
        except subprocess.TimeoutExpired:
            stopped = False
            demo.kill()
            demo.wait()
        time.sleep(1)
        left = [pid for pid in [demo.pid, *kids] if alive(pid)]
    result = {
        "command": "python bench/demo_start.py" + (f" --output {args.output}" if args.output else ""),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_at_first_page": [round(x, 2) for x in load_during],
        "first_page_seconds": None if first_page is None else round(first_page, 1),
        # what the set-up costs whatever the machine's load: about the wall time on an idle machine
        "demo_cpu_seconds_until_first_page": None if cpu is None else round(cpu, 1),
        "children_while_serving": len(kids),
        "stopped_within_60_s_of_sigint": stopped,
        "processes_left_after_sigint": left,
        "output": [f"{t:6.1f}s {line}" for t, line in lines],
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.output:
        args.output.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
