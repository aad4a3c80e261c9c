"""The Dask path on a LocalCluster with two workers: the same bytes as a local run, for a
two-gemeente region, also when it resumes an interrupted run; clear errors for a bad cluster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import simbijstand
from scaled import run_files, scaled_scenario
from simbijstand.errors import ExecutionError

pytest.importorskip("distributed")  # the test extra installs it; CI runs these


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A two-gemeente scenario (chunks of 2 replications) and its run on one local process."""
    folder = tmp_path_factory.mktemp("dask")
    scenario = scaled_scenario(folder, cases=24_000, gemeenten=2, replications=8, months=12)
    simbijstand.run(scenario, out=folder / "local", workers=1, keep_events=5)
    return scenario, folder / "local"


def test_a_local_cluster_of_two_workers_gives_the_local_bytes(
    region: tuple[Path, Path], tmp_path: Path
) -> None:
    scenario, local = region
    result = simbijstand.run(
        scenario, out=tmp_path / "dask", workers=2, keep_events=5, dask="local"
    )
    assert result.manifest["execution"]["dask"] == "local"
    assert result.manifest["execution"]["chunks"] == 4
    assert run_files(tmp_path / "dask") == run_files(local)


def test_a_local_cluster_resumes_an_interrupted_run(
    region: tuple[Path, Path], tmp_path: Path
) -> None:
    _, local = region
    run_dir = Path(shutil.copytree(local, tmp_path / "run"))
    (run_dir / "manifest.json").unlink()
    (run_dir / "summary.csv").unlink()
    for name in ["chunk-000000-000001.npz", "chunk-000004-000005.npz"]:
        (run_dir / "chunks" / name).unlink()
    result = simbijstand.resume(run_dir, workers=2, dask="local")
    assert result.manifest["execution"]["chunks_resumed"] == 2
    assert run_files(run_dir) == run_files(local)


def test_an_unreachable_scheduler_is_a_clear_error(
    region: tuple[Path, Path], tmp_path: Path
) -> None:
    scenario, _ = region
    with pytest.raises(ExecutionError, match="cannot reach the Dask scheduler"):
        simbijstand.run(scenario, out=tmp_path / "run", dask="nonsense://nowhere:1")
    assert not (tmp_path / "run" / "manifest.json").exists()


class _Cluster:
    """Stands in for a Dask client: what each worker reports about itself."""

    def __init__(self, states: dict[str, object]) -> None:
        self.states = states

    def run(self, function: object, *args: object) -> dict[str, object]:
        return self.states


def test_workers_that_differ_or_cannot_write_the_run_directory_are_refused(
    tmp_path: Path,
) -> None:
    from simbijstand.runs.dask_cluster import _check_workers
    from simbijstand.runs.record import package_versions

    good = package_versions()
    old_numpy = tuple((n, "1.0.0" if n == "numpy" else v) for n, v in good)
    cluster = _Cluster({"tcp://a:1": (good, True), "tcp://b:2": (old_numpy, False)})
    with pytest.raises(ExecutionError) as caught:
        _check_workers(cluster, tmp_path)
    message = str(caught.value)
    assert f"tcp://b:2 cannot write {tmp_path}" in message
    assert "tcp://b:2 has numpy 1.0.0" in message
    assert "tcp://a:1" not in message
    _check_workers(_Cluster({"tcp://a:1": (good, True)}), tmp_path)
    with pytest.raises(ExecutionError, match="no workers"):
        _check_workers(_Cluster({}), tmp_path)


def test_local_workers_keep_glibcs_sliding_mmap_threshold() -> None:
    # Dask's default MALLOC_TRIM_THRESHOLD_ cost the engine a third more CPU per replication
    import os

    import distributed

    from simbijstand.runs.dask_cluster import _client

    with _client(distributed, "local", 1) as client:
        environ = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert list(environ.values()) == [None]
