"""Scenario and parameter files: reading, `extends`, validation with precise messages."""

from simbijstand.scenario.loader import Scenario, load_parameter_file, load_scenario

__all__ = ["Scenario", "load_parameter_file", "load_scenario"]
