"""The map canvas: scene, items, view and mouse/keyboard modes."""
