"""q1audit: the app (TUI, CLI, audit sessions, exports) on top of knowledge, index and rules."""
