"""LinkDesk's core: everything that is not a widget. Nothing below here may import Qt."""
