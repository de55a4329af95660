"""The headless commands and the dashboard launcher, one module each."""
