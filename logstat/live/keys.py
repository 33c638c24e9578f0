"""Keys from the terminal while the live view runs: one key at a time, no echo, and the
terminal as it was afterwards, however the view ends."""

from __future__ import annotations

import contextlib
import os
import termios
import tty
from types import TracebackType

from logstat.errors import UsageError

TERMINAL = "/dev/tty"


class Keyboard:
    """The controlling terminal in cbreak mode: keys arrive one by one, Ctrl-C still interrupts.

    Keys are read from the terminal itself, not standard input, so a log can be piped in
    (``kubectl logs -f ... | logstat top -``) while the keys still work.
    """

    def __init__(self) -> None:
        try:
            self.fd = os.open(TERMINAL, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            msg = "logstat top needs a terminal for its keys; use --plain for one line per interval"
            raise UsageError(msg) from None
        self._saved = termios.tcgetattr(self.fd)

    def __enter__(self) -> Keyboard:
        tty.setcbreak(self.fd, termios.TCSANOW)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
        os.close(self.fd)

    def fileno(self) -> int:
        """The terminal's descriptor, for ``select``."""
        return self.fd

    def read(self) -> str:
        """The keys typed since the last call (escape sequences of arrow keys included, as text)."""
        try:
            return os.read(self.fd, 256).decode("utf-8", "replace")
        except BlockingIOError:
            return ""
