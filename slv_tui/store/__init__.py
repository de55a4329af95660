"""Every file the app writes: atomic, private, never on the event loop."""
