"""The window's docked panels: inspector, analysis, data view, history, map list."""
