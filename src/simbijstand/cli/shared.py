"""What the commands share: options and arguments declared once, turning library errors into
exit code 2, and a lazy progress bar."""

from __future__ import annotations

import functools
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from simbijstand.domain.bsn import mask_bsns
from simbijstand.errors import ScenarioError, SimbijstandError
from simbijstand.reporting.printable import printable
from simbijstand.runs.admission import parse_memory

F = TypeVar("F", bound=Callable[..., Any])
USER_ERROR = 2
INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
TERMINATED = 143  # 128 + SIGTERM: a job scheduler sees that it was stopped, not that it failed
RESUME_HINT = (
    "the run directory has no manifest and is incomplete; what was complete is kept "
    "(finish it with: simbijstand run --resume RUN_DIR)"
)
WORKERS_HELP = (
    "Processes that simulate: this one and N-1 helpers [default: all cores]; results do not "
    "depend on it."
)


# --- options and arguments that several commands take -------------------------------------------
# The help of -n and --seed says where the default comes from, which differs per command.


# the scenario schema's limits (simulatie.replicaties, simulatie.seed): checked here too, so a
# value out of range is named as the option the user typed
MAX_REPLICATIONS = 1_000_000
MAX_SEED = 2**63 - 1


def replications_option(
    help: str, minimum: int = 1, maximum: int = MAX_REPLICATIONS
) -> Callable[[F], F]:
    """-n/--replications: how many replications; None leaves it to the scenario or config."""
    return click.option(
        "-n", "--replications", type=click.IntRange(min=minimum, max=maximum), help=help
    )


def seed_option(help: str) -> Callable[[F], F]:
    """--seed: the run's seed; None leaves it to the scenario or config."""
    return click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED), help=help)


def workers_option(help: str = WORKERS_HELP, default: int | None = None) -> Callable[[F], F]:
    """--workers: local processes that simulate; None means all cores."""
    return click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=default,
        show_default=default is not None,
        help=help,
    )


class MemoryAmount(click.ParamType):
    name = "AMOUNT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_memory(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def max_memory_option() -> Callable[[F], F]:
    """--max-memory: what a run may use; admission control refuses a larger run beforehand."""
    return click.option(
        "--max-memory",
        type=MemoryAmount(),
        help="Memory the run may use, e.g. 8G or 512M; a run estimated to need more is "
        "refused before it starts [default: 80% of this machine's (or container's) memory].",
    )


def json_option(help: str = "Print JSON for scripts.") -> Callable[[F], F]:
    """--json: stdout holds only JSON (the parameter is `as_json`)."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def run_dir_argument() -> Callable[[F], F]:
    """RUN_DIR: the directory of a finished run."""
    return click.argument("run_dir", type=click.Path(path_type=Path))


def scenario_files_argument() -> Callable[[F], F]:
    """SCENARIOS...: one or more scenario files."""
    return click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))


# --- output -------------------------------------------------------------------------------------


def echo(text: str, err: bool = False) -> None:
    """Print a line for a person: escape sequences from input files are shown, not obeyed."""
    click.echo(printable(text), err=err)


# --- errors -------------------------------------------------------------------------------------


def problems_of(exc: SimbijstandError) -> list[str]:
    """The lines a user reads for an error: a scenario error lists every problem it found."""
    return exc.problems if isinstance(exc, ScenarioError) else [str(exc)]


def user_errors(command: F) -> F:
    """Report a SimbijstandError as `error: ...` on stderr and exit with code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SimbijstandError as exc:
            for problem in problems_of(exc):
                # a last net: every check masks what it quotes, but no message may show a BSN
                echo(f"error: {mask_bsns(problem)}", err=True)
            sys.exit(USER_ERROR)
        except KeyboardInterrupt:
            echo(f"interrupted; {RESUME_HINT}", err=True)
            sys.exit(INTERRUPTED)
        except Terminated:
            echo(f"terminated (SIGTERM); {RESUME_HINT}", err=True)
            _leave_now(TERMINATED)

    return wrapper  # type: ignore[return-value]


class Terminated(BaseException):
    """SIGTERM arrived. A BaseException, like KeyboardInterrupt, so no `except Exception` on the
    way up swallows it."""


def stop_on_sigterm(command: F) -> F:
    """Treat SIGTERM (what a job scheduler or `kill` sends) like Ctrl-C: unwind, keep what is
    complete, and say how to resume; outside the command SIGTERM keeps its default."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        def terminate(signum: int, frame: object) -> None:
            raise Terminated

        try:
            previous = signal.signal(signal.SIGTERM, terminate)
        except ValueError:  # not the main thread (an embedding program): leave SIGTERM alone
            return command(*args, **kwargs)
        try:
            return command(*args, **kwargs)
        finally:
            signal.signal(signal.SIGTERM, previous)

    return wrapper  # type: ignore[return-value]


def _leave_now(code: int) -> None:
    """Exit without waiting for a chunk that still runs on this process's worker thread (it
    cannot be interrupted, and a scheduler's SIGKILL follows SIGTERM within seconds). Every
    file of the run is written under a temporary name and renamed, so what exists is complete;
    the kernel releases the run directory's lock, and the helpers die with this process."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class LazyProgressBar:
    """A progress bar that only appears once a run has taken longer than `after` seconds."""

    def __init__(self, label: str, after: float = 2.0, enabled: bool = True) -> None:
        self.label = label
        self.after = after
        self.enabled = enabled
        self.started = time.monotonic()
        self._bar: Any = None
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() - self.started < self.after or done >= total:
                return
            self._bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._shown)
        self._shown = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
