"""Foundations every layer may use."""
