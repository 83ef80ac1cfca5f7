"""The guide library's widgets: tiles page, viewer, checklist and customer questions.

Import them from their modules (``desktop.ui.guides.page`` ...): this package imports nothing, so the
first frame loads only what the tiles need.
"""
