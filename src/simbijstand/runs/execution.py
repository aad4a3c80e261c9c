"""Running replications: fixed chunks, in this process, on a pool of local processes or on a
Dask cluster.

Chunks depend only on the run's size, never on the number of workers, and every replication has
its own random stream, so the results (and even the event segments) are the same for any
number of workers. Each finished chunk leaves a checkpoint (its folded projections) beside its
event segment; chunks that already have one are loaded, not run, which is how a run resumes.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import secrets
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar

from simbijstand.engine import CompiledModel
from simbijstand.engine.draws import ReplicationModels
from simbijstand.runs.chunks import Chunk, ChunkResult, load_finished, run_chunk

Task = TypeVar("Task")
Outcome = TypeVar("Outcome")

Progress = Callable[[int, int], None]  # (replications done, replications in all)


def run_chunks(
    model: CompiledModel,
    seed: int,
    chunks: list[Chunk],
    run_dir: Path | None,
    keep_below: int,
    workers: int,
    progress: Progress | None = None,
    dask: str | None = None,
    draws: ReplicationModels | None = None,
) -> list[ChunkResult]:
    """Every chunk's result: loaded from its checkpoint if an earlier attempt finished it,
    otherwise run here, on `workers` local processes, or on the Dask cluster at `dask`; with
    `draws`, each replication on its own model (parameter draw and inflow deviation). With
    `run_dir` None, in memory: nothing is loaded or written."""
    total = sum(c.count for c in chunks)
    finished = {} if run_dir is None else load_finished(run_dir, chunks)
    results = list(finished.values())
    done = sum(c.count for c in finished)
    if progress is not None and done:
        progress(done, total)
    missing = [c for c in chunks if c not in finished]
    for result in _results(model, seed, missing, run_dir, keep_below, workers, dask, draws):
        results.append(result)
        done += result.chunk.count
        if progress is not None:
            progress(done, total)
    return sorted(results, key=lambda r: r.chunk.first)


def _results(
    model: CompiledModel,
    seed: int,
    chunks: list[Chunk],
    run_dir: Path | None,
    keep_below: int,
    workers: int,
    dask: str | None,
    draws: ReplicationModels | None,
) -> Iterator[ChunkResult]:
    if not chunks:
        return
    if dask is not None:
        from simbijstand.runs.dask_cluster import dask_results  # dask is an optional extra

        yield from dask_results(dask, model, seed, chunks, run_dir, keep_below, workers, draws)
        return
    keep_freed_memory()  # this process simulates too
    job = partial(run_chunk, model, seed, run_dir=run_dir, keep_below=keep_below, draws=draws)
    if workers <= 1 or len(chunks) == 1:
        yield from map(job, chunks)
        return
    yield from _here_and_in_helpers(job, chunks, workers)


def _here_and_in_helpers(
    job: Callable[[Task], Outcome], chunks: list[Task], workers: int
) -> Iterator[Outcome]:
    """Run tasks (chunks, or a backtest's fits) on a thread of this process and on
    `workers - 1` helper processes, one task in each at a time, the next handed out as one
    finishes; outcomes come in the order they finish. This process has everything imported
    and starts at once; a spawned helper first spends most of a second importing."""
    # spawn, not fork: a forked pool can deadlock once polars' thread pool exists. The job
    # (the model, and each replication's parameter files) goes with each task, not as the
    # pool's initargs: a spawned worker reads those only after its imports, so the parent
    # blocked on the pipe and started the workers one by one. It goes pickled once, as bytes,
    # and a helper unpickles it once: 390 gemeenten' parameter files took 0.15 s a task
    context = multiprocessing.get_context("spawn")
    waiting = list(reversed(chunks))
    helpers = min(workers, len(chunks)) - 1
    shared = SharedJob.of(job)
    with (
        ThreadPoolExecutor(1) as here,
        ProcessPoolExecutor(
            helpers,
            mp_context=context,
            initializer=_start_helper,
            initargs=(os.getpid(),),
        ) as pool,
    ):
        running: dict[Future[Outcome], Executor] = {}

        def hand_out(executor: Executor) -> None:
            if not waiting:
                return
            task = waiting.pop()
            future = executor.submit(job, task) if executor is here else pool.submit(shared, task)
            running[future] = executor

        with _main_script_hidden():  # every helper starts during these first hand-outs
            for executor in [pool] * helpers + [here]:
                hand_out(executor)
        try:
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    hand_out(running.pop(future))
                    yield future.result()
        except BaseException:
            _stop_helpers(pool)
            raise


def _stop_helpers(pool: ProcessPoolExecutor) -> None:
    """On an interrupt (Ctrl-C, SIGTERM) or a failed chunk: end the helpers now instead of
    letting the pool's exit wait for the chunks they are running; their half-written files
    are temporary names, which a resume removes. `_processes` is private, but the pool has
    no public way to stop a running task."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Start helpers without running the caller's script again.

    A spawned process re-imports the parent's main script (`python mijn.py`) before it takes
    work; a script without `if __name__ == "__main__":` would then call simbijstand.run again in
    every helper, which fails and breaks the pool. The helpers need nothing from the script
    (their work is simbijstand's own functions), so while they start, multiprocessing is not told
    the script's path: it finds no `__main__.__file__` and imports nothing, as for an interactive
    session. Results do not depend on it."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


@dataclass(frozen=True, slots=True)
class SharedJob(Generic[Task, Outcome]):
    """A job sent to helper processes as pickled bytes, unpickled once per helper: a task
    carries the bytes (copied through the pipe, cheap), not the objects (rebuilt per task)."""

    token: str  # one per job, so a helper never runs an earlier job's objects
    pickled: bytes

    @staticmethod
    def of(job: Callable[[Task], Outcome]) -> SharedJob[Task, Outcome]:
        return SharedJob(secrets.token_hex(8), pickle.dumps(job, pickle.HIGHEST_PROTOCOL))

    def __call__(self, task: Task) -> Outcome:
        cached = _UNPICKLED.get(self.token)
        if cached is None:
            _UNPICKLED.clear()  # a helper keeps only the job it is working for
            cached = _UNPICKLED[self.token] = pickle.loads(self.pickled)
        job: Callable[[Task], Outcome] = cached
        return job(task)


_UNPICKLED: dict[str, Any] = {}  # a helper process's unpickled job, by its token


# glibc's malloc: allocations above the mmap threshold are fresh pages from the kernel on every
# call, and free memory above the trim threshold at the heap's top goes back to it at once. A
# replication of every gemeente makes and drops arrays of half a million cases month by month:
# a sixth of its time went to faulting in fresh pages (55,800 page faults a replication, 16,200
# with these thresholds; 64 MB and 256 MB measured the same). The heap then holds up to the trim
# threshold of free memory for reuse: a simulating process of that run peaked at 435 MB instead
# of 397 MB, under the 452 MB that runs/admission.py estimates for it.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_BYTES = 64 * 2**20
_TRIM_THRESHOLD_BYTES = 128 * 2**20


def keep_freed_memory() -> None:
    """Let glibc's malloc reuse freed memory (see above); elsewhere, or if it fails, nothing
    changes but speed. Results do not depend on it."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)
        libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES)


def helper_pool(processes: int) -> ProcessPoolExecutor:
    """A pool of `processes` spawned helpers that die with this process (see `run_chunks`)."""
    return ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )


def _start_helper(parent: int) -> None:
    """A chunk helper: dies with the run (see `_die_with_parent`), reuses freed memory."""
    _die_with_parent(parent)
    keep_freed_memory()


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the run process dies, so a killed run stops working
    at once instead of leaving workers that finish their chunk behind a resume's back.

    A helper spends most of a second importing before it gets here; if the run died meanwhile,
    the request comes too late to fire, and the helper would wait for work for ever on a queue
    whose write end it holds itself (and keep multiprocessing's resource tracker alive): so it
    checks that its parent is still the run, and otherwise leaves at once."""
    if sys.platform.startswith("linux"):
        # not fatal if it fails: the parent check below still catches a dead run
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
