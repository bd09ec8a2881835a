"""The course's own data generators and loaders for optional original files."""
