"""The load test behind benchmarks/loadtest.py, by job; its steps as the entry script's docstring tells."""
from .api import Http, Reply
from .cli import Setup, main, parse_args, prepared, run
from .clients import Client, LoadResult, Write, run_clients
from .config import WEIGHTS, ConnectionFailed, SetupError
from .cpu import CpuUse
from .database import scratch_database, seed
from .report import Summary, passed, percentile, print_results, summarize
from .server import Server
from .verify import Verification, report_versions, verify
from .world import World, prepare_world

__all__ = [
    "WEIGHTS", "Client", "ConnectionFailed", "CpuUse", "Http", "LoadResult", "Reply", "Server", "Setup", "SetupError",
    "Summary", "Verification", "World", "Write", "main", "parse_args", "passed", "percentile", "prepare_world",
    "prepared", "print_results", "report_versions", "run", "run_clients", "scratch_database", "seed", "summarize",
    "verify",
]
