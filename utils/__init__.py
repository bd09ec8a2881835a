"""What student notebooks import: data loaders, plotting, widgets, public checks."""
