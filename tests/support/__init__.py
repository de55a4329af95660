"""Test support shared by every tier: fake clock, isolated env, simulators, logging, pilots."""
