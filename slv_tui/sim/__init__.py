"""A simulated Streetlight.Vision CMS: a real HTTP server speaking the SLV batch API."""

from __future__ import annotations

from slv_tui.sim.faults import FAULT_KINDS, TRANSIENT_FAULTS, FaultKind
from slv_tui.sim.runner import ThreadedSim, run_sim
from slv_tui.sim.scenario import ScenarioError, available_scenarios
from slv_tui.sim.server import SimServer

__all__ = [
    "FAULT_KINDS",
    "TRANSIENT_FAULTS",
    "FaultKind",
    "ScenarioError",
    "SimServer",
    "ThreadedSim",
    "available_scenarios",
    "run_sim",
]
