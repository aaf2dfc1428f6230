"""The machine a benchmark ran on, for the results files (shared by both benches)."""

import os
import platform
from pathlib import Path


def machine() -> dict:
    """CPU model, cores, RAM, Python and OR-Tools versions."""
    cpu = "unknown"
    ram = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    from ortools import __version__ as ortools_version

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": ram,
        "python": platform.python_version(),
        "ortools": ortools_version,
    }
