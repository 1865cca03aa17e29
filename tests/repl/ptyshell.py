"""Drives the nabla shell through a pseudo-terminal, as a learner's terminal would."""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import tempfile
import termios
import time


class Shell:
    def __init__(self, exe, args=(), env=None, timeout=10.0, cols=None, rows=40, state=None):
        """cols: the terminal's width, set on the pseudo-terminal (as a window would);
        state: a directory for history and lesson progress (a new one by default)."""
        self.timeout = timeout
        self.state = state or tempfile.mkdtemp(prefix="nabla-pty-")
        e = dict(os.environ)
        e.update({"HOME": self.state, "XDG_STATE_HOME": self.state, "TERM": "xterm",
                  "LANG": "C.UTF-8", "COLUMNS": "100", "LINES": "40"})
        e.pop("NO_COLOR", None)
        if env:
            e.update(env)
        if cols:
            e["COLUMNS"], e["LINES"] = str(cols), str(rows)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            if cols:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execve(exe, [exe, *args], e)
        self.buf = b""      # undecoded bytes not yet turned into text
        self.text = ""      # output not yet consumed, terminal escapes removed
        self.raw = b""      # everything the shell wrote, escapes included

    ESC = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")

    def read_until(self, pattern, timeout=None):
        """Reads output until the regex matches the text seen since the last call
        (terminal escape sequences such as colours and bracketed paste are removed)."""
        deadline = time.time() + (timeout or self.timeout)
        rx = re.compile(pattern)
        while True:
            try:
                chunk = self.buf.decode("utf-8")
                self.buf = b""
            except UnicodeDecodeError:
                chunk = ""
            self.text += self.ESC.sub("", chunk).replace("\r", "")
            m = rx.search(self.text)
            if m:
                out = self.text[:m.end()]
                self.text = self.text[m.end():]
                return out
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {pattern!r}; output so far:\n{self.text}")
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    raise AssertionError(f"shell exited while waiting for {pattern!r}; output:\n{self.text}")
                self.buf += data
                self.raw += data

    def send(self, s):
        os.write(self.fd, s.encode("utf-8"))

    def line(self, s):
        self.send(s + "\r")

    def prompt(self):
        return self.read_until(r"∇ ")

    def wait_exit(self, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                r, _, _ = select.select([self.fd], [], [], 0.1)
                if r:
                    os.read(self.fd, 4096)
            except OSError:
                pass
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("shell did not exit")

    def close(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


class Checks:
    def __init__(self):
        self.n = 0

    def ok(self, cond, what):
        self.n += 1
        if not cond:
            raise AssertionError(what)
        print("ok", what)
