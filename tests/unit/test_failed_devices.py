"""The devices a batch's error messages name (the model layer: what F commissions again, y copies)."""

from __future__ import annotations

from slv_tui.slv.failed_devices import FailedDevices, device_lines, failed_devices
from slv_tui.slv.model import Batch, Severity, Step, StepMessage


def message(severity: Severity, text: str) -> StepMessage:
    return StepMessage(severity, text)


def batch(*steps: Step) -> Batch:
    return Batch(batch_id="1", steps=steps)


def step(errors: list[str], warnings: list[str] = ()) -> Step:  # type: ignore[assignment]
    return Step(
        name="s",
        label="S",
        status=None,
        errors=tuple(message(Severity.ERROR, t) for t in errors),
        warnings=tuple(message(Severity.WARNING, t) for t in warnings),
    )


def test_only_errors_each_device_once_in_order_spaces_kept() -> None:
    found = failed_devices(
        batch(
            step(
                ["lamp 2 @ controller C-1: rejected", "Connection to controller C-1 failed: timeout"],
                ["Lamp-9 @ controller C-1: firmware old"],
            ),
            step(["Lamp-3 @ controller C-1: rejected (code 12: x)", "lamp 2 @ controller C-1: again"]),
        )
    )
    assert found == [FailedDevices("C-1", ("lamp 2", "Lamp-3"))]
    assert device_lines(found) == "lamp 2\nLamp-3"


def test_several_controllers_and_none() -> None:
    found = failed_devices(batch(step(["A @ controller C-1: x", "B @ controller C-2: y"])))
    assert [f.controller for f in found] == ["C-1", "C-2"]
    assert device_lines(found) == "C-1:\n  A\nC-2:\n  B"
    assert failed_devices(None) == [] and failed_devices(batch(step(["no device here"]))) == []
