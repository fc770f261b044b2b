"""Work around missed reply wake-ups in nbclient's execute-reply wait (private; opt-in).

nbclient waits for a cell's ``execute_reply`` with one long ``shell_channel.get_msg(timeout=T)``.
Under load, and with widget traffic, that poll sometimes misses the socket's wake-up and only
notices the (long since arrived) reply when ``T`` runs out, so a cell that took milliseconds
"takes" exactly the cell time-out (upstream: jupyter/nbclient#312, proposed fix #311). With
``interrupt_on_timeout`` the kernel is then even interrupted and the cell marked as failed.

:func:`apply` replaces that one wait with short polls (``slice_s`` seconds each) until the same
deadline, so a missed wake-up costs at most one slice. Nothing else changes: the time-out, the
kernel-alive check and the time-out handling are nbclient's own. Importing ketlearn never applies
it; the test suite, the site build and the self-check tools call :func:`apply` explicitly.
"""

from __future__ import annotations

from queue import Empty
from time import monotonic

__all__ = ["apply"]

_APPLIED = False


def apply(slice_s: float = 0.5) -> bool:
    """Patch :class:`nbclient.NotebookClient` (and so nbconvert/nbgrader execution) in this process.

    Returns ``True`` if the patch is active, ``False`` if this nbclient does not look like the one
    it was written for (then nothing is changed).
    """
    global _APPLIED
    if _APPLIED:
        return True
    try:
        from nbclient import client as nbc
    except ImportError:
        return False
    original = getattr(nbc.NotebookClient, "_async_poll_for_reply", None)
    if original is None or "get_msg(timeout=new_timeout)" not in _source(original):
        return False

    from nbclient.util import ensure_async

    class _SlicedShell:
        """Proxy for ``kc.shell_channel`` whose ``get_msg`` polls in short slices."""

        def __init__(self, channel):
            self._channel = channel

        def __getattr__(self, name):
            return getattr(self._channel, name)

        async def get_msg(self, timeout=None):
            deadline = None if timeout is None else monotonic() + timeout
            while True:
                wait = (
                    slice_s if deadline is None else min(slice_s, max(0.0, deadline - monotonic()))
                )
                try:
                    return await ensure_async(self._channel.get_msg(timeout=wait))
                except Empty:
                    if deadline is not None and monotonic() >= deadline:
                        raise

    class _SlicedClient:
        """Proxy for ``self.kc`` exposing the sliced shell channel."""

        def __init__(self, kc):
            self._kc = kc
            self.shell_channel = _SlicedShell(kc.shell_channel)

        def __getattr__(self, name):
            return getattr(self._kc, name)

    async def patched(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
        real = self.kc
        self.kc = _SlicedClient(real)
        try:
            return await original(
                self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive
            )
        finally:
            self.kc = real

    nbc.NotebookClient._async_poll_for_reply = patched
    _APPLIED = True
    return True


def _source(func) -> str:
    import inspect

    try:
        return inspect.getsource(func)
    except (OSError, TypeError):
        return ""
