"""A job sent to helper processes is unpickled once per helper, and never mixed with another."""

from __future__ import annotations

import pickle
from pathlib import Path

from simbijstand.runs import execution
from simbijstand.runs.chunks import plan_chunks
from simbijstand.runs.execution import SharedJob, run_chunks
from simbijstand.runs.run import prepare

GEMEENTEN = Path(__file__).resolve().parents[1] / "scenarios" / "gemeenten-2017.toml"


class CountingJob:
    """A job that counts how often it is rebuilt from its pickle."""

    rebuilt = 0

    def __init__(self, offset: int) -> None:
        self.offset = offset

    def __setstate__(self, state: dict[str, int]) -> None:
        CountingJob.rebuilt += 1
        self.__dict__.update(state)

    def __call__(self, task: int) -> int:
        return task + self.offset


def test_a_helper_unpickles_a_job_once_and_each_job_keeps_its_own_objects():
    CountingJob.rebuilt = 0
    execution._UNPICKLED.clear()
    first = SharedJob.of(CountingJob(100))
    assert [first(t) for t in range(5)] == [100, 101, 102, 103, 104]
    assert CountingJob.rebuilt == 1
    second = SharedJob.of(CountingJob(1000))
    assert second(1) == 1001  # a new job: its own objects, not the cached ones of the first
    assert first(1) == 101
    assert CountingJob.rebuilt == 3
    assert pickle.loads(pickle.dumps(first)) == first  # what goes through the pipe


def test_every_gemeente_gives_the_same_results_on_one_and_on_two_processes():
    """Through a helper process, with the shared job and 390 parameter files: same results."""
    prepared = prepare(GEMEENTEN)
    draws = prepared.draws()
    chunks = plan_chunks(3, 1.0, own_models=True)
    one = run_chunks(prepared.model, 7, chunks, None, 0, 1, draws=draws)
    two = run_chunks(prepared.model, 7, chunks, None, 0, 2, draws=draws)
    for a, b in zip(one, two, strict=True):
        assert a.chunk == b.chunk and a.events == b.events
        assert (a.projections.caseload == b.projections.caseload).all()
        assert (a.projections.benefit_months == b.projections.benefit_months).all()
