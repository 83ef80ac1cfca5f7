"""The composition root: where LinkDesk's services are built and handed to the widgets.

``root.run_gui`` starts the desktop app; ``context.AppContext`` holds the services one process
shares; ``call_assembly`` builds the call layer (tracker, store, call manager) for the Call page.
Widgets under ``desktop.ui`` never import this package: they receive the narrow services they use.
"""
