"""Live sessions in the window: hosting a session (the dialog, the panel, the loop)."""
