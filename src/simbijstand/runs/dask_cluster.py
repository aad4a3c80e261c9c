"""Running chunks on a Dask cluster (dask.distributed), for runs that outgrow one machine.

The unit of work is the same fixed chunk of replications as on a local pool, run by the same
function, so the results are identical to a local run with the same seed. Each worker writes the
chunk's event segment and checkpoint into the run directory (which must therefore be on a file
system all workers share) and sends the folded projections back. A worker that dies mid-chunk
is replaced by Dask and its chunk run again: writes are atomic and write the same bytes.

Gemeenten of one scenario are not split over workers: a replication draws all its gemeenten
from one random stream, so splitting them would change the results.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simbijstand.engine import CompiledModel
from simbijstand.engine.draws import ReplicationModels
from simbijstand.errors import ExecutionError
from simbijstand.runs.chunks import Chunk, ChunkResult, run_chunk
from simbijstand.runs.record import package_versions

LOCAL = "local"  # --dask local: a LocalCluster on this machine
CONNECT_TIMEOUT = "20s"


def dask_results(
    address: str,
    model: CompiledModel,
    seed: int,
    chunks: list[Chunk],
    run_dir: Path,
    keep_below: int,
    workers: int,
    draws: ReplicationModels | None = None,
) -> Iterator[ChunkResult]:
    """Submit every chunk to the cluster; yield results as they finish (with `draws`, each
    replication builds its own model on the worker)."""
    distributed = _import_distributed()
    run_dir = run_dir.resolve()  # workers may run elsewhere: no relative paths
    with _client(distributed, address, workers) as client:
        _check_workers(client, run_dir)
        shared_model = client.scatter(model, broadcast=True, hash=False)
        shared_draws = client.scatter(draws, broadcast=True, hash=False) if draws else None
        run_key = uuid.uuid4().hex[:8]
        futures = [
            client.submit(
                run_chunk,
                shared_model,
                seed,
                chunk,
                run_dir,
                keep_below,
                shared_draws,
                key=f"simbijstand-chunk-{chunk.first:06d}-{run_key}",
                pure=False,
            )
            for chunk in chunks
        ]
        for future in distributed.as_completed(futures):
            yield future.result()
            future.release()  # the projections now live here; free the worker's copy


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ExecutionError(
            "--dask needs dask.distributed, which is not installed; "
            "install it with: pip install 'simbijstand[dask]'"
        ) from None
    return distributed


@contextmanager
def _client(distributed: Any, address: str, workers: int) -> Iterator[Any]:
    if address == LOCAL:
        with (
            _engine_friendly_malloc(),
            distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,  # the engine is numpy-bound; one chunk per process
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExecutionError(
            f"--dask {address}: cannot reach the Dask scheduler ({exc}); give its address as "
            "tcp://host:8786, or 'local' for a cluster on this machine"
        ) from None
    with client:
        yield client


@contextmanager
def _engine_friendly_malloc() -> Iterator[None]:
    """Start local workers without Dask's MALLOC_TRIM_THRESHOLD_. Setting any malloc threshold
    turns off glibc's sliding mmap threshold, so every large numpy array the engine allocates
    is mapped afresh and page-faulted in: five times the page faults and about a third more CPU
    per replication than the same work in a plain process (measured; benchmarks/load.py)."""
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        yield


def _check_workers(client: Any, run_dir: Path) -> None:
    """Refuse a cluster whose workers cannot write the run directory or would compute other
    bytes (other versions of the packages that decide them)."""
    states = client.run(_worker_state, str(run_dir))
    if not states:
        raise ExecutionError("the Dask cluster has no workers; start some and try again")
    mine = dict(package_versions())
    problems = []
    for worker, (versions, writable) in sorted(states.items()):
        if not writable:
            problems.append(f"{worker} cannot write {run_dir} (not on a shared file system?)")
        problems += [
            f"{worker} has {name} {theirs}, this machine {mine[name]}"
            for name, theirs in versions
            if theirs != mine[name]
        ]
    if problems:
        raise ExecutionError("Dask workers unfit for this run: " + "; ".join(problems))


def _worker_state(run_dir: str) -> tuple[tuple[tuple[str, str], ...], bool]:
    return package_versions(), os.path.isdir(run_dir) and os.access(run_dir, os.W_OK)
