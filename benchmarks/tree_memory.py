"""Peak memory of a command and every process it starts, e.g. `make run`, whose steps run in
processes of their own (`/usr/bin/time` reports the largest single process only):

    python -m benchmarks.tree_memory -- make run DATASET=freshretailnet

Samples the proportional set size (PSS: a page shared by n processes counts 1/n in each) of the
command's process tree every `--interval` seconds and prints the peak of the sum at the end.
Reading the memory maps costs CPU: on 2 cores it slowed the FreshRetailNet-50K run by about a
tenth, so take wall times from another run. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path


def _pss_kb(pid: int) -> int:
    try:
        rollup = (Path("/proc") / str(pid) / "smaps_rollup").read_text()
    except OSError:  # gone, or not ours to read
        return 0
    return next(
        (int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0
    )


def process_tree(root: int) -> list[int]:
    """root and every process started below it, directly or not (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:")
        )
        children.setdefault(ppid, []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def tree_pss_kb(root: int) -> int:
    """Summed PSS of root and every process below it, in kB."""
    return sum(_pss_kb(pid) for pid in process_tree(root))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between samples")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to measure after --")
    process = subprocess.Popen(command)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_pss_kb(process.pid))
        time.sleep(args.interval)
    print(f"peak memory of the process tree (summed PSS): {peak / 1024**2:.2f} GB", file=sys.stderr)
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
