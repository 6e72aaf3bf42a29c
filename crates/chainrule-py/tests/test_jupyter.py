"""chainrule.jupyter without a server: the connection turns Nagle's algorithm off on its
websocket before it connects to the kernel as jupyter_server's own does."""

import pytest

pytest.importorskip("jupyter_server")


def test_the_connection_turns_nagle_off_then_connects_as_jupyter_server_does(monkeypatch):
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

    from chainrule.jupyter import Connection

    calls = []

    class Handler:
        def set_nodelay(self, value):
            calls.append(("nodelay", value))

    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: calls.append(("connect",)) or "connected")
    conn = Connection.__new__(Connection)
    conn._trait_values["websocket_handler"] = Handler()
    conn._trait_values["log"] = __import__("logging").getLogger("test")
    assert conn.connect() == "connected"
    assert calls == [("nodelay", True), ("connect",)]
    assert issubclass(Connection, ZMQChannelsWebsocketConnection)
