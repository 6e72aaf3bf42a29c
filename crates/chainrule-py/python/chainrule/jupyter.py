"""A Jupyter server extension that makes the live view (``chainrule.live``) answer a nudge
in one round trip instead of one round trip and a delayed acknowledgement. It is on by
default wherever chainrule is installed in the Jupyter server's own environment.

The Jupyter server sends a kernel's messages to the browser over a websocket whose socket
keeps Nagle's algorithm on (neither jupyter_server nor tornado turns it off). A kernel
answers each question of a widget with a small ``busy`` status and then the answer: the
answer's bytes then wait until the browser has acknowledged the status, and the browser
delays its acknowledgement by up to 40 ms. Measured here on the view's nudges (headless
Chromium, JupyterLab 4 and Notebook 7), a third to most nudges waited about 41 ms for it;
the kernel answered them in under 3 ms, and the server wrote the answer within 1 ms.

Installing chainrule (``pip install chainrule``) puts
``<sys.prefix>/etc/jupyter/jupyter_server_config.d/chainrule.json`` in place, which
enables this module as a server extension (``jupyter server extension list`` shows
``chainrule.jupyter``), as Jupyter packages enable theirs. When the server starts, the
extension makes the kernels' websockets use :class:`Connection`: jupyter_server's own
connection, with ``TCP_NODELAY`` set on its socket when it opens. Nothing else changes:
the same messages, in the same order, on the same socket, only sent without waiting, so
a server with it behaves as one without it except for the latency. Needs jupyter_server
2 (JupyterLab 4, Notebook 7).

It leaves the server alone when the server is set up to use a connection class of its
own (``ServerApp.kernel_websocket_connection_class``, or a gateway's connection) and
says so in the server's log. To turn it off::

    jupyter server extension disable chainrule.jupyter

(it writes ``chainrule.jupyter.json`` beside ``chainrule.json``, read after it, so it wins;
``enable`` turns it back on), or for one server::

    jupyter lab --ServerApp.jpserver_extensions=chainrule.jupyter=False

A server in an environment without chainrule can still use the connection, by naming it:
``--ServerApp.kernel_websocket_connection_class=chainrule.jupyter.Connection``.

If this module cannot be imported or loaded, the Jupyter server logs a warning and starts
without it (jupyter_server does not stop for a failing extension).
"""

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["Connection"]

# The key of the tornado application's settings that the kernels' websocket handler reads
# its connection class from, when a websocket opens (jupyter_server's
# KernelWebsocketHandler.kernel_websocket_connection_class).
SETTING = "kernel_websocket_connection_class"


class Connection(ZMQChannelsWebsocketConnection):
    """jupyter_server's websocket connection to a kernel, with Nagle's algorithm off on its
    socket, so that a kernel's message is sent at once and not held back until the
    browser acknowledges the one before it."""

    def connect(self):
        """Turns Nagle's algorithm off on the websocket (opened by now, so nothing turns
        it back on), then connects to the kernel as jupyter_server does."""
        self.websocket_handler.set_nodelay(True)
        self.log.info("chainrule.jupyter: Nagle's algorithm is off on this kernel's websocket")
        return super().connect()


def _jupyter_server_extension_points():
    """The server extension's one point, for jupyter_server: this module, whose
    :func:`_load_jupyter_server_extension` the server calls once its web application is
    made."""
    return [{"module": "chainrule.jupyter"}]


def _load_jupyter_server_extension(serverapp):
    """Makes the kernels' websockets of ``serverapp`` (a jupyter_server ``ServerApp``) use
    :class:`Connection`, if they would use jupyter_server's default connection: the
    server's web application reads the class from its settings each time a kernel's
    websocket opens, and extensions load after it is made. A class the server's
    configuration names (even the default one) or a gateway's connection is left as it
    is, and the log says why."""
    settings = serverapp.web_app.settings
    used = settings.get(SETTING)
    configured = SETTING in serverapp.config.get("ServerApp", {})
    if used is Connection:
        serverapp.log.info("chainrule.jupyter: the kernels' websockets already use chainrule.jupyter.Connection")
        return
    if used is not ZMQChannelsWebsocketConnection or configured:
        why = "ServerApp.kernel_websocket_connection_class" if configured else "not jupyter_server's default"
        serverapp.log.info(
            "chainrule.jupyter: the kernels' websockets keep %s.%s (%s), with Nagle's algorithm as it "
            "leaves it; the live view's nudges may wait up to 40 ms more",
            getattr(used, "__module__", "?"), getattr(used, "__qualname__", repr(used)), why)
        return
    settings[SETTING] = Connection
    # What the server closes at its shutdown (Connection.close_all is jupyter_server's).
    serverapp.kernel_websocket_connection_class = Connection
    serverapp.log.info("chainrule.jupyter: the kernels' websockets will have Nagle's algorithm off "
                       "(jupyter server extension disable chainrule.jupyter turns this off)")
