"""The call layer: one call's logic (``session``), the calls followed at once (``manager``), and
the store and Codat client as the calls need them (``store_adapter``, ``lazy_client``). No Qt."""
