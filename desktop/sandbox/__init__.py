"""A Codat-compatible simulator: the Platform API, hosted Link pages, scripted customers, faults.

No Qt here, and nothing from desktop.core: the two share only Codat's wire format.
"""
