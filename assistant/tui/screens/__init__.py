"""Screens of the q1audit app, one module each."""
