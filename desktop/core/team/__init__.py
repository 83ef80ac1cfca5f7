"""The team's calls through the team hub: each LinkDesk publishes a summary of every finished call
to a JetStream stream, and reads the whole team's back into a local table for the reports.

- ``subjects``: the stream, its subjects (``desktop.team_calls_stream``: the team hub makes the
  stream, a desktop never does), and how an agent's name becomes a subject token;
- ``connection``: one connection a batch, the stream's presence checked, and why the hub cannot
  be used in the status bar's words (``TeamHubUnreachable.problem``);
- ``summary``: the published summary (version 1): built from the call store, read back checked;
- ``local_file``: the sibling database in the data folder (received calls, the stream position,
  the calls waiting to be published);
- ``publisher``: ``TeamPublisher``, which publishes finished calls off the GUI thread and keeps
  them queued while the hub is down;
- ``reader``: ``read_team_calls``, which fetches what is new on the stream.

No Qt. Only ``connection``, ``publisher`` and ``reader`` import nats-py.
"""
