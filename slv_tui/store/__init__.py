"""Every file the app writes: atomic or append-only, private, never on the event loop."""
