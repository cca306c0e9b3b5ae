"""Widgets shared by the q1audit screens."""
