"""The discrete-event simulation: compiled model, exact vectorised sampler, simpy clock.

Only this package imports simpy. It emits events to a Recorder and never aggregates.
"""

from simbijstand.engine.events import EventBatch, Recorder
from simbijstand.engine.model import CompiledModel, compile_model
from simbijstand.engine.simulation import simulate

__all__ = ["CompiledModel", "EventBatch", "Recorder", "compile_model", "simulate"]
