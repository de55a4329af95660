"""Foundations every layer may use: sanitizing, logging, paths."""
