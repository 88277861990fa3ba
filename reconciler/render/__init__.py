"""Renderers: turn results (diagnostics, plans, drift reports) into text for people and tools."""
