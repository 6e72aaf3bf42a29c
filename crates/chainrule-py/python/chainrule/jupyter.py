"""An option for the Jupyter server that makes the live view (``chainrule.live``) answer a
nudge in one round trip instead of one round trip and a delayed acknowledgement.

The Jupyter server sends a kernel's messages to the browser over a websocket whose socket
keeps Nagle's algorithm on (neither jupyter_server nor tornado turns it off). A kernel
answers each question of a widget with a small ``busy`` status and then the answer: the
answer's bytes then wait until the browser has acknowledged the status, and the browser
delays its acknowledgement by up to 40 ms. Measured here on the view's nudges (headless
Chromium, JupyterLab 4 and Notebook 7), a third to most nudges waited about 41 ms for it;
the kernel answered them in under 3 ms, and the server wrote the answer within 1 ms.

To turn Nagle's algorithm off on the kernels' websockets, start the server with::

    jupyter lab --ServerApp.kernel_websocket_connection_class=chainrule.jupyter.Connection

or put ``c.ServerApp.kernel_websocket_connection_class = "chainrule.jupyter.Connection"``
in ``jupyter_server_config.py``. It changes nothing else: the connection is
jupyter_server's own, with ``TCP_NODELAY`` set on its socket when it opens. Needs
jupyter_server 2 (JupyterLab 4, Notebook 7).
"""

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["Connection"]


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
