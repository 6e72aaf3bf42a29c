"""chainrule.jupyter, the Jupyter server extension that turns Nagle's algorithm off on the
kernels' websockets: its connection, its loading on a stand-in server (the class swapped
only when it is jupyter_server's default), its enabling by the installed package, and
real jupyter_server processes (no browser): as installed, with it turned off on the
command line, with a class of the user's own, and with a chainrule that cannot be
imported (the server starts all the same)."""

import json
import logging
import os
import re
import subprocess
import sys
import time
import types
import urllib.request
import uuid

import pytest

pytest.importorskip("jupyter_server")

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection  # noqa: E402
from traitlets.config import Config  # noqa: E402

import chainrule.jupyter  # noqa: E402
from chainrule.jupyter import Connection  # noqa: E402

NAGLE_OFF = "Nagle's algorithm is off on this kernel's websocket"
LOADED = "chainrule.jupyter | extension was successfully loaded"


def test_the_connection_turns_nagle_off_then_connects_as_jupyter_server_does(monkeypatch):
    calls = []

    class Handler:
        def set_nodelay(self, value):
            calls.append(("nodelay", value))

    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: calls.append(("connect",)) or "connected")
    conn = Connection.__new__(Connection)
    conn._trait_values["websocket_handler"] = Handler()
    conn._trait_values["log"] = logging.getLogger("test")
    assert conn.connect() == "connected"
    assert calls == [("nodelay", True), ("connect",)]
    assert issubclass(Connection, ZMQChannelsWebsocketConnection)


def test_the_extension_points_are_the_module_itself():
    from jupyter_server.extension.manager import ExtensionPackage

    assert chainrule.jupyter._jupyter_server_extension_points() == [{"module": "chainrule.jupyter"}]
    # jupyter_server finds the point and its loader as it does when it starts.
    package = ExtensionPackage(name="chainrule.jupyter", enabled=True)
    assert list(package.extension_points) == ["chainrule.jupyter"]
    point = package.extension_points["chainrule.jupyter"]
    assert point.validate()
    assert point._get_loader() is chainrule.jupyter._load_jupyter_server_extension


def fake_server(cls, config=None):
    """What the loader touches of a ServerApp: the web application's settings, the
    configuration, the log, and the class trait, as jupyter_server leaves them after
    init_webapp (extensions load after it)."""
    return types.SimpleNamespace(
        web_app=types.SimpleNamespace(settings={"kernel_websocket_connection_class": cls, "other": 1}),
        config=config if config is not None else Config(),
        log=logging.getLogger("fake-serverapp"),
        kernel_websocket_connection_class=cls,
    )


def test_loading_swaps_jupyter_servers_default_connection_for_chainrules(caplog):
    app = fake_server(ZMQChannelsWebsocketConnection)
    with caplog.at_level(logging.INFO, logger="fake-serverapp"):
        chainrule.jupyter._load_jupyter_server_extension(app)
    assert app.web_app.settings == {"kernel_websocket_connection_class": Connection, "other": 1}
    assert app.kernel_websocket_connection_class is Connection
    assert "Nagle's algorithm off" in caplog.text


class Mine(ZMQChannelsWebsocketConnection):
    pass


@pytest.mark.parametrize("case", ["another class", "the default, named in the config", "a gateway's"])
def test_loading_leaves_a_configured_connection_alone_and_says_why(caplog, case):
    if case == "another class":
        cls, config = Mine, Config({"ServerApp": {"kernel_websocket_connection_class": Mine}})
        said = "test_jupyter.Mine (ServerApp.kernel_websocket_connection_class)"
    elif case == "the default, named in the config":
        cls = ZMQChannelsWebsocketConnection
        config = Config({"ServerApp": {"kernel_websocket_connection_class": cls.__module__ + "." + cls.__name__}})
        said = "ZMQChannelsWebsocketConnection (ServerApp.kernel_websocket_connection_class)"
    else:
        from jupyter_server.gateway.connections import GatewayWebSocketConnection

        cls, config = GatewayWebSocketConnection, Config({"GatewayClient": {"url": "http://gateway"}})
        said = "GatewayWebSocketConnection (not jupyter_server's default)"
    app = fake_server(cls, config)
    with caplog.at_level(logging.INFO, logger="fake-serverapp"):
        chainrule.jupyter._load_jupyter_server_extension(app)
    assert app.web_app.settings["kernel_websocket_connection_class"] is cls
    assert app.kernel_websocket_connection_class is cls
    assert said in caplog.text
    assert "Nagle's algorithm off" not in caplog.text


def test_loading_on_a_server_told_to_use_chainrules_connection_changes_nothing(caplog):
    app = fake_server(Connection, Config({"ServerApp": {"kernel_websocket_connection_class": Connection}}))
    with caplog.at_level(logging.INFO, logger="fake-serverapp"):
        chainrule.jupyter._load_jupyter_server_extension(app)
    assert app.web_app.settings["kernel_websocket_connection_class"] is Connection
    assert "already use chainrule.jupyter.Connection" in caplog.text


# The installed package and real servers.

CONFIG = os.path.join(sys.prefix, "etc", "jupyter", "jupyter_server_config.d", "chainrule.json")


def test_installing_chainrule_enables_the_extension_in_its_environment(tmp_path):
    """pip install puts the wheel's config file in sys.prefix, and jupyter_server lists
    the extension as enabled and valid."""
    with open(CONFIG) as f:
        assert json.load(f) == {"ServerApp": {"jpserver_extensions": {"chainrule.jupyter": True}}}
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    out = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"], env=env,
                         capture_output=True, text=True, check=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    assert re.search(r"^\s*chainrule\.jupyter enabled\s*$", text, re.M), text
    assert re.search(r"^\s*chainrule\.jupyter\s+OK\s*$", text, re.M), text


def start_kernel(server):
    req = urllib.request.Request(f"{server.base}/api/kernels", data=b"{}", method="POST",
                                 headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())["id"]


def kernel_info_over_websocket(server, kernel_id):
    """Opens a websocket to the kernel as a front end does, asks it for its info over it,
    and returns the reply's content."""
    import asyncio

    from tornado.websocket import websocket_connect

    async def ask():
        session = uuid.uuid4().hex
        ws = await websocket_connect(
            f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id={session}&token={TOKEN}")
        try:
            msg_id = uuid.uuid4().hex
            ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "kernel_info_request", "username": "test",
                           "session": session, "date": "2026-01-01T00:00:00Z", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell", "buffers": []}))
            while True:
                text = await asyncio.wait_for(ws.read_message(), 60)
                assert text is not None, "the server closed the kernel's websocket"
                if isinstance(text, bytes):
                    continue
                msg = json.loads(text)
                if msg.get("parent_header", {}).get("msg_id") == msg_id and msg["msg_type"] == "kernel_info_reply":
                    return msg["content"]
        finally:
            ws.close()

    return asyncio.run(ask())


def server_with(*args, nodelay=True, env=None):
    from jupyter_harness import Server

    pytest.importorskip("ipykernel")
    return Server("server", nodelay=nodelay, args=args, env=env)


TOKEN = "chainrule-test"


def test_a_server_as_installed_turns_nagle_off_on_its_kernels_websockets():
    s = server_with()
    try:
        assert LOADED in s.read_log(whole=True)
        assert kernel_info_over_websocket(s, start_kernel(s))["status"] == "ok"
        deadline = time.monotonic() + 10
        while NAGLE_OFF not in s.read_log(whole=True) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert NAGLE_OFF in s.read_log(whole=True), s.read_log()
    finally:
        s.stop()


@pytest.mark.parametrize("how", ["turned off on the command line", "a class of the user's own"])
def test_a_server_without_the_extension_keeps_nagle_on(how):
    if how == "turned off on the command line":
        s = server_with(nodelay=False)
    else:
        s = server_with("--ServerApp.kernel_websocket_connection_class="
                        "jupyter_server.services.kernels.connection.channels.ZMQChannelsWebsocketConnection")
    try:
        # The kernel answered through the websocket: its connection has connected.
        assert kernel_info_over_websocket(s, start_kernel(s))["status"] == "ok"
        log = s.read_log(whole=True)
        assert NAGLE_OFF not in log
        if how == "turned off on the command line":
            assert "chainrule.jupyter" not in log
        else:
            assert LOADED in log
            assert "keep jupyter_server.services.kernels.connection.channels.ZMQChannelsWebsocketConnection " \
                   "(ServerApp.kernel_websocket_connection_class)" in log
    finally:
        s.stop()


def test_a_server_starts_when_chainrule_cannot_be_imported(tmp_path):
    """An enabled extension that fails to import is logged and skipped by jupyter_server:
    a broken chainrule never stops the user's server."""
    broken = tmp_path / "broken" / "chainrule"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('a chainrule that cannot be imported')\n")
    s = server_with(env={"PYTHONPATH": str(broken.parent)})
    try:
        assert s.api("status")["started"]
        log = s.read_log(whole=True)
        assert "chainrule.jupyter | error adding extension" in log
        assert "a chainrule that cannot be imported" in log
        assert LOADED not in log
    finally:
        s.stop()
