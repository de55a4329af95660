"""Reading a device import file (`commission --csv FILE`, the dashboard's CSV choice) safely."""

from __future__ import annotations

from pathlib import Path

from slv_tui.common.sanitize import clean
from slv_tui.slv.commission import MAX_CSV_BYTES, CommissionError, CommissionRequest, import_request
from slv_tui.store.files import UnsafeFileError, read_regular


def read_device_csv(path: Path) -> CommissionRequest:
    """The device import request for the file at `path`; any problem is a one-line CommissionError.

    At most MAX_CSV_BYTES + 1 bytes are ever read; a FIFO, a device or a folder is refused unread.
    """
    shown = clean(str(path), max_length=300)
    try:
        data = read_regular(path, MAX_CSV_BYTES)
    except FileNotFoundError:
        raise CommissionError(f"{shown}: no such file") from None
    except PermissionError:
        raise CommissionError(f"{shown}: permission denied") from None
    except UnsafeFileError as exc:  # not a regular file, or larger than the limit
        raise CommissionError(clean(str(exc), max_length=400)) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise CommissionError(clean(f"{shown}: cannot read it ({reason})", max_length=400)) from None
    return import_request(path.name, data)
