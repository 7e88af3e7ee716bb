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

    python -m benchmarks.machine_usage --by-step -- make run DATASET=freshretailnet

also shares the machine's busy and idle core-seconds out over the Dagster steps that ran in each
sample (from the step start and end times of the latest run in $DAGSTER_HOME, else the
Makefile's .dagster_home): which steps leave cores idle, and how long no step runs at all
(start-up and hand-overs).
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    # (epoch seconds, busy_seconds()) every sample, the command's start and end included
    busy_samples: list[tuple[float, float]] = field(default_factory=list, repr=False)

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
    samples = [(time.time(), busy_seconds())]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(interval_s):
            peak[0] = max(peak[0], memory_in_use_gb())
            samples.append((time.time(), busy_seconds()))

    sampler = threading.Thread(target=sample, daemon=True)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    sampler.start()
    try:
        returncode = subprocess.call(command)
        wall = time.perf_counter() - started
    finally:
        done.set()
        sampler.join()
    samples.append((time.time(), busy_seconds()))
    return MachineUsage(
        returncode=returncode,
        wall_s=wall,
        cpu_busy_s=samples[-1][1] - samples[0][1],
        memory_at_start_gb=start_memory,
        peak_memory_above_start_gb=max(peak[0], memory_in_use_gb()) - start_memory,
        load_average_at_start=load,
        busy_samples=samples,
    )


@dataclass(frozen=True)
class StepShare:
    """The seconds during which exactly these steps ran (none: no step), and the machine's busy
    and idle core-seconds in them."""

    steps: tuple[str, ...]
    seconds: float
    busy_core_s: float
    idle_core_s: float


def shares_by_step(
    samples: Sequence[tuple[float, float]],
    steps: Sequence[tuple[str, float, float]],
    cores: int,
) -> list[StepShare]:
    """Each interval between two samples (epoch seconds, busy seconds since boot), attributed to
    the set of steps (step key, start, end in epoch seconds) running at its middle; the
    intervals of one set added up, longest first."""
    totals: dict[tuple[str, ...], list[float]] = {}
    for (t0, b0), (t1, b1) in itertools.pairwise(samples):
        middle = (t0 + t1) / 2
        running = tuple(sorted(k for k, start, end in steps if start <= middle < end))
        total = totals.setdefault(running, [0.0, 0.0])
        total[0] += t1 - t0
        total[1] += b1 - b0
    shares = [
        StepShare(key, wall, busy, max(0.0, cores * wall - busy))
        for key, (wall, busy) in totals.items()
    ]
    return sorted(shares, key=lambda s: -s.seconds)


def latest_run_steps(dagster_home: Path) -> list[tuple[str, float, float]]:
    """(step key, start, end) of every step of the latest run of the Dagster instance in
    dagster_home."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            raise SystemExit(f"no Dagster run recorded in {dagster_home}")
        return [
            (s.step_key, s.start_time, s.end_time)
            for s in instance.get_run_step_stats(runs[0].run_id)
            if s.start_time is not None and s.end_time is not None
        ]


def step_table(shares: Sequence[StepShare]) -> str:
    lines = [
        "| steps running | seconds | busy core-s | idle core-s |",
        "| --- | --: | --: | --: |",
    ]
    for share in shares:
        names = ", ".join(share.steps) or "(no step)"
        lines.append(
            f"| {names} | {share.seconds:.0f} | {share.busy_core_s:.0f} | {share.idle_core_s:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--by-step",
        action="store_true",
        help="share the busy and idle core-seconds out over the Dagster steps of the latest run",
    )
    parser.add_argument(
        "--dagster-home",
        type=Path,
        # the Makefile's default when DAGSTER_HOME is not set
        default=Path(os.environ.get("DAGSTER_HOME", ".dagster_home")).absolute(),
        help="the Dagster instance whose latest run --by-step reads",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to measure after --")
    usage = measure(command)
    print(usage.line(), flush=True)
    if args.by_step:
        shares = shares_by_step(
            usage.busy_samples, latest_run_steps(args.dagster_home), os.cpu_count() or 1
        )
        print(step_table(shares), flush=True)
    return usage.returncode


if __name__ == "__main__":
    raise SystemExit(main())
