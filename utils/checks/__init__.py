"""Public (visible) checks, one module per assignment."""
