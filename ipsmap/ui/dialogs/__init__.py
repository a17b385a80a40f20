"""The window's dialogs: export, personal-data check, styles."""
