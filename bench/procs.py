"""Child processes measured from outside: wall clock, CPU seconds and peak RSS of exactly that child.

Peak RSS is the child's own VmHWM, polled while it runs: neither RUSAGE_CHILDREN (a maximum over every
child ever reaped) nor wait4's ru_maxrss (which starts from the parent's RSS at fork) measures one child.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from rag.core import offline

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class ProcResult:
    rc: int
    wall_s: float
    user_s: float
    sys_s: float
    max_rss_mib: float
    output: dict[str, Any] = field(default_factory=dict)  # what the child wrote to its --out JSON
    log_path: str = ""

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = offline.child_env()
    if "OMP_WAIT_POLICY" not in os.environ:  # bench.run leaves OpenMP at its default; see there
        env.pop("OMP_WAIT_POLICY", None)
    # Children import bench.* and the project from the repository root, whatever the caller's cwd.
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


def run_measured(
    args: list[str],
    *,
    log_path: Path,
    out_path: Path | None = None,
    env: dict[str, str] | None = None,
    timeout_s: float = 3600.0,
) -> ProcResult:
    """Run a command to completion; its stdout/stderr go to log_path, its JSON result (if any) to out_path."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.unlink(missing_ok=True)
    with log_path.open("ab") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT, env=child_env(env), cwd=ROOT)
        deadline = t0 + timeout_s
        # Peak RSS is polled from the child's VmHWM, not taken from wait4's ru_maxrss: Linux carries the
        # parent's RSS at fork into the child's ru_maxrss, so every child of a 1.3 GiB bench process
        # "peaked" at 1.3 GiB. VmHWM belongs to the exec'd image only; the last 20 ms may be missed.
        peak_mib = 0.0
        while True:
            peak_mib = max(peak_mib, proc_status_mib(proc.pid).get("VmHWM", 0.0))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                log.warning("%s ran past %.0fs; killing it", args[:4], timeout_s)
                proc.kill()
            time.sleep(0.02)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    output: dict[str, Any] = {}
    if out_path is not None and out_path.exists():
        output = json.loads(out_path.read_text())
    if proc.returncode != 0:
        log.warning("%s exited %d; see %s", " ".join(args[:4]), proc.returncode, log_path)
    return ProcResult(proc.returncode, wall, usage.ru_utime, usage.ru_stime, peak_mib, output, str(log_path))


def run_worker(
    work: Path, tag: str, args: list[str], *, timeout_s: float = 3600.0, what: str | None = None
) -> ProcResult:
    """`python -m bench.workers ARGS --out work/out/TAG.json`, logged to work/logs/TAG.log; raises when
    it fails or writes nothing (`what` names it in that message; default: the tag)."""
    out = work / "out" / f"{tag}.json"
    res = run_measured(
        [PYTHON, "-m", "bench.workers", *args, "--out", str(out)],
        log_path=work / "logs" / f"{tag}.log",
        out_path=out,
        timeout_s=timeout_s,
    )
    if res.rc != 0 or not res.output:
        raise RuntimeError(f"{what or tag} failed; see {res.log_path}")
    return res


def proc_status_mib(pid: int | str = "self") -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of a live process, in MiB, from /proc (no psutil needed)."""
    out: dict[str, float] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(rest.split()[0]) / 1024
    return out


def dir_size_mib(path: Path) -> float:
    total = 0
    for p in Path(path).rglob("*"):
        try:
            if p.is_file() and not p.is_symlink():
                total += p.stat().st_size
        except OSError:
            continue
    return total / (1024 * 1024)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def machine_info() -> dict[str, Any]:
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "mem_gib": round(mem_kib / 1024 / 1024, 1),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": sys.version.split()[0],
    }


class Server:
    """A server child process on a loopback port; `stop()` ends exactly that process (and its group)."""

    def __init__(self, args: list[str], port: int, log_path: Path, env: dict[str, str] | None = None) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("ab")
        self.started = time.perf_counter()
        # Its own session so that stop() can signal the group without touching anything else.
        self.proc = subprocess.Popen(
            args,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=child_env(env),
            cwd=ROOT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, path: str = "/readyz", timeout_s: float = 300.0, poll_s: float = 0.05) -> float:
        """Seconds from process start until GET path answers 200; raises on exit or timeout."""
        import httpx

        deadline = time.perf_counter() + timeout_s
        with httpx.Client(timeout=2.0) as client:
            while time.perf_counter() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"server exited with {self.proc.returncode} before it was ready; see {self.log_path}"
                    )
                try:
                    if client.get(self.url + path).status_code == 200:
                        return time.perf_counter() - self.started
                except httpx.HTTPError:
                    pass
                time.sleep(poll_s)
        raise TimeoutError(f"{self.url}{path} not ready after {timeout_s:.0f}s; see {self.log_path}")

    def memory(self) -> dict[str, float]:
        return proc_status_mib(self.proc.pid)

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM to the process group, SIGKILL after `timeout_s`."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=timeout_s)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        self._log.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
