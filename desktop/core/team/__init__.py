"""The team's calls through the team hub: each LinkDesk publishes a summary of every finished call
to a JetStream stream, and reads the whole team's back into a local table for the reports.

- ``subjects``: the stream, its subjects, and how an agent's name becomes a subject token;
- ``summary``: the published summary (version 1): built from the call store, read back checked;
- ``local_file``: the sibling database in the data folder (received calls, the stream position,
  the calls waiting to be published);
- ``publisher``: ``TeamPublisher``, which publishes finished calls off the GUI thread and keeps
  them queued while the hub is down;
- ``reader``: ``read_team_calls``, which fetches what is new on the stream.

No Qt. Only ``publisher`` and ``reader`` import nats-py.
"""
