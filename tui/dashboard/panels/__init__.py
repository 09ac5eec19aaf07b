"""Dashboard panels, one module each."""
