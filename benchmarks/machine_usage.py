"""What a command costs the whole machine: wall time, CPU time over every process (also those a
Dagster run forks from its forkserver, which `/usr/bin/time` does not count) and the peak of
memory in use, on Linux.

    python -m benchmarks.machine_usage -- make run DATASET=freshretailnet

CPU time is the machine's busy time in /proc/stat over the command (all cores; on an otherwise
idle machine that is the command's); memory in use is MemTotal - MemAvailable of /proc/meminfo,
sampled every half second, reported above its level at the start. Both count whatever else the
machine runs meanwhile, so measure on a quiet machine. Reading two small files costs next to
nothing, unlike benchmarks.tree_memory, which sums the memory maps of the command's own process
tree (exact for the command, but its sampling slows the run).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

GIB = 1024**3


@dataclass(frozen=True)
class MachineUsage:
    returncode: int
    wall_s: float
    cpu_busy_s: float
    memory_at_start_gb: float
    peak_memory_above_start_gb: float
    load_average_at_start: float

    def line(self) -> str:
        return (
            f"exit {self.returncode}: {self.wall_s:.1f} s wall, {self.cpu_busy_s:.1f} s of CPU "
            f"(all processes), peak memory in use {self.peak_memory_above_start_gb:.2f} GB above "
            f"the {self.memory_at_start_gb:.2f} GB at the start; load average at the start "
            f"{self.load_average_at_start:.2f}"
        )


def busy_seconds(stat: Path = Path("/proc/stat")) -> float:
    """CPU seconds the machine's cores have spent busy since boot (not idle, not waiting)."""
    ticks = [int(v) for v in stat.read_text().splitlines()[0].split()[1:9]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def memory_in_use_gb(meminfo: Path = Path("/proc/meminfo")) -> float:
    fields = {line.split(":")[0]: int(line.split()[1]) for line in meminfo.read_text().splitlines()}
    return (fields["MemTotal"] - fields["MemAvailable"]) * 1024 / GIB


def measure(command: list[str], interval_s: float = 0.5) -> MachineUsage:
    """Run `command` (inheriting stdout and stderr) and measure it."""
    start_memory = memory_in_use_gb()
    peak = [start_memory]
    running = threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set():
            peak[0] = max(peak[0], memory_in_use_gb())
            time.sleep(interval_s)

    sampler = threading.Thread(target=sample, daemon=True)
    load = os.getloadavg()[0]
    busy, started = busy_seconds(), time.perf_counter()
    sampler.start()
    try:
        returncode = subprocess.call(command)
        wall, busy = time.perf_counter() - started, busy_seconds() - busy
    finally:
        running.clear()
        sampler.join()
    return MachineUsage(
        returncode=returncode,
        wall_s=wall,
        cpu_busy_s=busy,
        memory_at_start_gb=start_memory,
        peak_memory_above_start_gb=max(peak[0], memory_in_use_gb()) - start_memory,
        load_average_at_start=load,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to measure after --")
    usage = measure(command)
    print(usage.line(), flush=True)
    return usage.returncode


if __name__ == "__main__":
    raise SystemExit(main())
