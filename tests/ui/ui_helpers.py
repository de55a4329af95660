"""Helpers for the UI tests: a controllable clock, the real stack builder, waiting on conditions."""

from __future__ import annotations

from support.clock import FakeClock as FakeClock
from support.pilot import OFFLINE as OFFLINE
from support.pilot import Stack as Stack
from support.pilot import build as build
from support.pilot import cell as cell
from support.pilot import press as press
from support.pilot import screen_text as screen_text
from support.pilot import settle as settle
from support.pilot import wait_for as wait_for
