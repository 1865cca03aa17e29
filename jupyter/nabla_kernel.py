#!/usr/bin/python3
"""nabla's Jupyter kernel: a wrapper kernel on Debian's python3-ipykernel.

ipykernel does the Jupyter side (sockets, message signing, heartbeat); this class drives
one `nabla --kernel-pipe` process (src/repl/kernel.c, lua/nabla/jupyter.lua):

  requests  -> its pipe IN:   frames b"<length>\\n<payload>", e.g. b"execute 3\\n<code>"
  replies   <- its pipe OUT:  frames b"<length>\\n<json>", e.g. {"type": "display", ...}
  what the learner's code prints <- its stdout and stderr, sent on as Jupyter streams as
  soon as it is read (a long fit shows its progress while it runs).

Before each reply frame nabla writes MARK to its stdout, so text printed before a plot
is shown before it even though the two come through different pipes.

The notebook's stop button sends SIGINT to this process (ipykernel turns it into
KeyboardInterrupt while a request is handled); we pass it on to nabla, which stops the
cell like Ctrl-C in the shell and keeps every variable. nabla runs in a session of its
own so that it gets the signal once, from us. Installed by `nabla jupyter install`.
"""
import codecs
import json
import os
import re
import select
import signal
import subprocess
import sys
import time

from ipykernel.kernelbase import Kernel

MARK = b"\x00\x1bnabla-frame\x00"
STREAM_EVERY = 0.1   # seconds: printed text is sent on at most this often, so a progress
                     # bar redrawn at every batch does not flood the notebook


def collapse(text):
    """Text a line rewritten with \r (a progress bar) becomes its last version, after a
    \r so that the notebook replaces what it showed of the line; ESC [ K (clear to the
    end of the line) goes, notebooks do not know it."""
    text = text.replace("\x1b[K", "")
    lines = text.split("\n")
    for i, line in enumerate(lines):
        last = line.rsplit("\r", 1)
        if len(last) == 2 and last[1]:
            lines[i] = "\r" + last[1]
    return "\n".join(lines)


class NablaProcess:
    """One nabla process and its pipes."""

    def __init__(self, exe):
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        env = dict(os.environ)
        env["NABLA_KERNEL_FDS"] = "%d,%d" % (req_r, rep_w)
        env.setdefault("COLUMNS", "80")
        self.proc = subprocess.Popen(
            [exe, "--kernel-pipe"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, pass_fds=(req_r, rep_w), env=env, start_new_session=True)
        os.close(req_r)
        os.close(rep_w)
        self.req = req_w
        self.rep = rep_r
        self.out = self.proc.stdout.fileno()
        self.err = self.proc.stderr.fileno()
        for fd in (self.rep, self.out, self.err):
            os.set_blocking(fd, False)
        self.rep_buf = b""
        self.out_buf = b""
        self.frames = []        # reply frames read, waiting for their MARK in stdout
        self.marks = 0          # MARKs seen in stdout whose frame has not come yet
        self.decoders = {"stdout": codecs.getincrementaldecoder("utf-8")("replace"),
                         "stderr": codecs.getincrementaldecoder("utf-8")("replace")}
        self.open_fds = {self.rep, self.out, self.err}

    def alive(self):
        return self.proc.poll() is None and self.rep in self.open_fds

    def send(self, payload):
        data = b"%d\n" % len(payload) + payload
        os.set_blocking(self.req, True)
        view = memoryview(data)
        while view:
            n = os.write(self.req, view)
            view = view[n:]

    def _read(self, fd):
        chunks = []
        while True:
            try:
                b = os.read(fd, 65536)
            except BlockingIOError:
                break
            except InterruptedError:
                continue
            if not b:
                self.open_fds.discard(fd)
                break
            chunks.append(b)
        return b"".join(chunks)

    def _frames_from(self, data):
        self.rep_buf += data
        out = []
        while True:
            nl = self.rep_buf.find(b"\n")
            if nl < 0:
                break
            n = int(self.rep_buf[:nl])
            if len(self.rep_buf) < nl + 1 + n:
                break
            out.append(json.loads(self.rep_buf[nl + 1:nl + 1 + n].decode("utf-8", "replace")))
            self.rep_buf = self.rep_buf[nl + 1 + n:]
        return out

    def events(self, timeout):
        """One round: [("stdout"|"stderr", text) | ("msg", dict) | ("eof", None)], in order."""
        fds = [fd for fd in (self.out, self.err, self.rep) if fd in self.open_fds]
        if not fds:
            return [("eof", None)]
        ready, _, _ = select.select(fds, [], [], timeout)
        events = []
        if self.err in ready:
            data = self._read(self.err)
            if data:
                events.append(("stderr", self.decoders["stderr"].decode(data)))
        if self.out in ready:
            self.out_buf += self._read(self.out)
        if self.rep in ready:
            self.frames += self._frames_from(self._read(self.rep))
        # stdout up to each MARK, then the frame that MARK stands for
        while True:
            if self.marks and self.frames:
                self.marks -= 1
                events.append(("msg", self.frames.pop(0)))
                continue
            i = self.out_buf.find(MARK)
            if i < 0 or self.marks:
                break
            if i > 0:
                events.append(("stdout", self.decoders["stdout"].decode(self.out_buf[:i])))
            self.out_buf = self.out_buf[i + len(MARK):]
            self.marks += 1
        # text with no MARK in it (keep a possible start of one for the next round)
        if not self.marks and self.out_buf:
            keep = 0
            for k in range(min(len(MARK) - 1, len(self.out_buf)), 0, -1):
                if MARK.startswith(self.out_buf[-k:]):
                    keep = k
                    break
            text, self.out_buf = self.out_buf[:len(self.out_buf) - keep], self.out_buf[len(self.out_buf) - keep:]
            if text:
                events.append(("stdout", self.decoders["stdout"].decode(text)))
        if self.rep not in self.open_fds and not self.frames:
            events.append(("eof", None))
        return [e for e in events if e[0] != "stdout" and e[0] != "stderr" or e[1]]

    def interrupt(self):
        try:
            os.kill(self.proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass

    def close(self, timeout=3):
        try:
            os.close(self.req)
        except OSError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.rep,):
            try:
                os.close(fd)
            except OSError:
                pass
        self.proc.stdout.close()
        self.proc.stderr.close()


class NablaKernel(Kernel):
    implementation = "nabla"
    implementation_version = "0.1"
    language = "lua"
    language_version = "5.4"
    language_info = {
        "name": "lua",
        "version": "5.4",
        "mimetype": "text/x-lua",
        "file_extension": ".lua",
        "codemirror_mode": "lua",
        "pygments_lexer": "lua",
    }
    banner = "nabla (∇): tensors, autograd and lessons in Lua; help() lists the topics"
    help_links = []

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.exe = os.environ.get("NABLA_EXE", "nabla")
        self.nabla = None
        self.start_nabla()

    # ---- the nabla process ---------------------------------------------------------------

    def start_nabla(self):
        self.nabla = NablaProcess(self.exe)
        hello = self.wait_reply(lambda m: m.get("type") == "ready", publish=False)
        if hello is None:
            raise RuntimeError("nabla did not start: %s --kernel-pipe" % self.exe)

    def stream(self, name, text):
        self.send_response(self.iopub_socket, "stream", {"name": name, "text": text})

    def wait_reply(self, done, publish=True, interruptible=False):
        """Passes nabla's output on until a message for which done(msg) holds; returns it
        (None if nabla ended). With interruptible, SIGINT is forwarded to nabla."""
        pending = {}   # stream name -> text not sent yet
        sent = [time.monotonic()]

        def flush():
            for name in ("stdout", "stderr"):
                text = pending.pop(name, "")
                if text and publish:
                    self.stream(name, collapse(text))
                elif text:
                    sys.stderr.write(text)
            sent[0] = time.monotonic()

        while True:
            try:
                events = self.nabla.events(STREAM_EVERY if pending else 1.0)
            except KeyboardInterrupt:
                if interruptible:
                    self.nabla.interrupt()
                continue
            for kind, value in events:
                if kind in ("stdout", "stderr"):
                    pending[kind] = pending.get(kind, "") + value
                    continue
                flush()
                if kind == "eof":
                    return None
                if done(value):
                    return value
                if publish:
                    self.publish(value)
            if pending and time.monotonic() - sent[0] >= STREAM_EVERY:
                flush()

    def publish(self, msg):
        kind = msg.get("type")
        if kind in ("display", "update"):
            content = {"data": msg["data"], "metadata": {}}
            if msg.get("id"):
                content["transient"] = {"display_id": msg["id"]}
            self.send_response(self.iopub_socket, "display_data" if kind == "display" else "update_display_data",
                               content)
        elif kind == "result":
            self.send_response(self.iopub_socket, "execute_result", {
                "execution_count": self.execution_count, "data": msg["data"], "metadata": {}})
        elif kind == "error":
            self.send_response(self.iopub_socket, "error", {
                "ename": msg["ename"], "evalue": msg["evalue"], "traceback": msg["traceback"]})

    def ended(self):
        """nabla went away (os.exit, a crash): say so, and start a fresh one."""
        code = self.nabla.proc.wait()
        self.nabla.close()
        how = "exit status %d" % code if code >= 0 else "signal %d" % -code
        text = "nabla stopped (%s); a new session was started: every variable is gone" % how
        self.send_response(self.iopub_socket, "error", {
            "ename": "KernelRestarted", "evalue": text, "traceback": ["\x1b[0;31m" + text + "\x1b[0m"]})
        self.start_nabla()
        return {"status": "error", "execution_count": self.execution_count,
                "ename": "KernelRestarted", "evalue": text, "traceback": []}

    # ---- Jupyter's requests ------------------------------------------------------------------

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False):
        if not self.nabla.alive():
            self.nabla.close()
            self.start_nabla()
        self.nabla.send(b"execute %d\n" % self.execution_count + code.encode("utf-8"))
        error = {}

        def done(msg):
            if msg.get("type") == "error":
                error.update(msg)
            return msg.get("type") == "done"

        reply = self.wait_reply(done, publish=not silent, interruptible=True)
        if reply is None:
            return self.ended()
        if reply.get("status") == "error":
            return {"status": "error", "execution_count": self.execution_count,
                    "ename": error.get("ename", "Error"), "evalue": error.get("evalue", ""),
                    "traceback": error.get("traceback", [])}
        return {"status": "ok", "execution_count": self.execution_count,
                "payload": [], "user_expressions": {}}

    @staticmethod
    def _byte_pos(code, cursor_pos):
        return len(code[:cursor_pos].encode("utf-8"))

    @staticmethod
    def _char_pos(code_bytes, pos):
        return len(code_bytes[:pos].decode("utf-8", "replace"))

    def do_complete(self, code, cursor_pos):
        if cursor_pos is None:
            cursor_pos = len(code)
        data = code.encode("utf-8")
        self.nabla.send(b"complete %d\n" % self._byte_pos(code, cursor_pos) + data)
        reply = self.wait_reply(lambda m: m.get("type") == "complete", publish=False)
        if reply is None:
            return {"status": "error", "ename": "KernelRestarted", "evalue": "", "traceback": []}
        return {"status": "ok", "matches": reply["matches"],
                "cursor_start": self._char_pos(data, reply["start"]),
                "cursor_end": self._char_pos(data, reply["stop"]), "metadata": {}}

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        self.nabla.send(b"inspect %d\n" % self._byte_pos(code, cursor_pos) + code.encode("utf-8"))
        reply = self.wait_reply(lambda m: m.get("type") == "inspect", publish=False)
        found = bool(reply and reply.get("found"))
        return {"status": "ok", "found": found,
                "data": {"text/plain": reply["text"]} if found else {}, "metadata": {}}

    def do_is_complete(self, code):
        return {"status": "unknown"}

    def do_shutdown(self, restart):
        if self.nabla is not None:
            try:
                self.nabla.send(b"shutdown\n")
            except OSError:
                pass
            self.nabla.close()
            self.nabla = None
        return {"status": "ok", "restart": restart}


if __name__ == "__main__":
    from ipykernel.kernelapp import IPKernelApp
    IPKernelApp.launch_instance(kernel_class=NablaKernel)
