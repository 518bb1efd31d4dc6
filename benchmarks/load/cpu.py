"""CPU time used during the load by the clients, gunicorn, the database backends and the machine."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from .server import Server, process_cpu


def machine_cpu() -> tuple[float, float, float]:
    """(busy, stolen, total) CPU time of the whole machine so far, in clock ticks (/proc/stat):
    stolen is time a virtual machine's host gave to someone else."""
    try:
        values = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0, 0.0
    values += [0] * (8 - len(values))  # user nice system idle iowait irq softirq steal (guest is inside user)
    idle, steal = values[3] + values[4], values[7]
    return float(sum(values) - idle - steal), float(steal), float(sum(values))


@dataclass
class CpuUse:
    """CPU seconds used during the load: by this script (the clients), by gunicorn, by the
    PostgreSQL backends of the scratch database, by the whole machine (the rest is everything
    else that ran meanwhile: other jobs, the kernel's loopback networking)."""

    seconds: float
    clients: float
    server: float
    database: float  # PostgreSQL backends connected to the scratch database
    machine_busy: float  # share of all cores, 0..1
    stolen: float = 0.0  # share of all cores the VM's host took

    @property
    def others(self) -> float:
        """CPU seconds of everything else on the machine meanwhile."""
        busy = self.machine_busy * (os.cpu_count() or 1) * self.seconds
        return max(0.0, busy - self.clients - self.server - self.database)

    @classmethod
    def measure(cls, server: Server, database: str, body):
        """Run `body()` and measure it; (its result, CpuUse)."""
        import resource

        def own() -> float:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            return usage.ru_utime + usage.ru_stime

        def backends() -> dict[int, float]:
            title = f" {database} "  # a backend's title: "postgres: 15/main: user database host(port) state"
            return process_cpu(lambda pid, parent, cmdline: cmdline.startswith("postgres:") and title in cmdline)

        def delta(before: dict[int, float], after: dict[int, float]) -> float:
            return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())

        started, clients, served, db, machine = time.monotonic(), own(), server.cpu(), backends(), machine_cpu()
        result = body()
        busy, stolen, total = (after - before for after, before in zip(machine_cpu(), machine))
        use = cls(
            seconds=time.monotonic() - started, clients=own() - clients, server=delta(served, server.cpu()),
            database=delta(db, backends()), machine_busy=busy / total if total > 0 else 0.0,
            stolen=stolen / total if total > 0 else 0.0,
        )
        return result, use

