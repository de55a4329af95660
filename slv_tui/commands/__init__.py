"""Headless commands (status, follow, check, login, ...) and the dashboard launcher."""
