"""The interactive shell through a pseudo-terminal: auto-print, multi-line input, tab
completion, errors keeping the session, Ctrl-C (running code and at the prompt), history,
Ctrl-D; and the command line: -e, scripts with arg, --version, --help, NO_COLOR."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyshell import Checks, Shell  # noqa: E402

EXE = sys.argv[1]
C = Checks()


def interactive():
    sh = Shell(EXE)
    try:
        sh.prompt()
        sh.line("1+1")
        C.ok("2" in sh.read_until(r"\n2\n"), "an expression prints its value")
        sh.prompt()
        sh.line("function f(x)")
        sh.read_until(r"\.\. ")
        sh.line("return x * 2")
        sh.read_until(r"\.\. ")
        sh.line("end")
        sh.prompt()
        sh.line("f(21)")
        C.ok("42" in sh.read_until(r"42"), "multi-line input continues on the .. prompt")
        sh.prompt()
        sh.line("x = tensor{{1,2},{3,4}}")
        sh.prompt()
        sh.line("x")
        out = sh.read_until(r"\[3\.0000, 4\.0000\]\]\)")
        C.ok("tensor([[1.0000, 2.0000]," in out, "a tensor prints as a tensor")
        sh.prompt()
        sh.send("x:su\t\t")
        out = sh.read_until(r"x:sum")
        C.ok("x:sum" in out, "tab completion lists tensor methods")
        sh.send("\x15")  # Ctrl-U clears the line
        sh.send("string.upp\t")
        sh.read_until(r"string\.upper")
        sh.line("('ab')")
        C.ok("AB" in sh.read_until(r"AB"), "tab completion of library fields")
        sh.prompt()
        sh.line("y = 5")
        sh.prompt()
        sh.line("x:mm(tensor{1,2,3})")
        out = sh.read_until(r"mm:[^\n]*")
        C.ok("mm:" in out and "[2,2]" in out, "an engine error names the op and the shapes")
        sh.prompt()
        sh.line("y")
        C.ok("5" in sh.read_until(r"\n5\n"), "an error keeps the session's variables")
        sh.prompt()
        sh.line("while true do end")
        import time
        time.sleep(0.5)
        sh.send("\x03")
        C.ok("interrupted" in sh.read_until(r"interrupted!"), "Ctrl-C stops running code")
        sh.prompt()
        sh.line("y + 1")
        C.ok("6" in sh.read_until(r"\n6\n"), "variables survive Ctrl-C")
        sh.prompt()
        sh.send("abc")
        sh.read_until(r"abc")
        sh.send("\x03")
        sh.read_until(r"\^C")
        sh.prompt()
        sh.line("1+2")
        out = sh.read_until(r"\n(3|abc1\+2)[^\n]*")
        C.ok(out.endswith("3"), "Ctrl-C at the prompt clears the line")
        sh.prompt()
        sh.line("for i = 1, 3 do")
        sh.read_until(r"\.\. ")
        sh.send("\x03")
        sh.prompt()
        sh.line("y")
        C.ok("5" in sh.read_until(r"\n5\n"), "Ctrl-C on the .. prompt abandons the chunk")
        sh.prompt()
        sh.send("\x04")  # Ctrl-D
        C.ok(sh.wait_exit() == 0, "Ctrl-D exits with status 0")
        hist = open(os.path.join(sh.state, "nabla", "history"), encoding="utf-8").read()
        C.ok("y = 5" in hist and "function f(x)\nreturn x * 2\nend" in hist,
             "history is written, multi-line chunks whole")
    finally:
        sh.close()
    # the history is read back by the next session
    sh = Shell(EXE, env={"XDG_STATE_HOME": sh.state, "HOME": sh.state})
    try:
        sh.prompt()
        sh.send("\x1b[A")  # up arrow: the last line, "y"
        sh.send("\x1b[A")  # and the one before: "1+2"
        sh.send("\r")
        out = sh.read_until(r"\n3\n")
        C.ok("1+2" in out, "the next session recalls history with the up arrow")
    finally:
        sh.close()


def colour():
    sh = Shell(EXE)
    try:
        sh.prompt()
        C.ok(b"\x1b[1;36m" in sh.raw, "the prompt is coloured on a terminal")
    finally:
        sh.close()
    sh = Shell(EXE, env={"NO_COLOR": "1"})
    try:
        sh.prompt()
        sh.line("error('boom')")
        sh.read_until(r"boom")
        sh.prompt()
        C.ok(b"\x1b[1;36m" not in sh.raw and b"\x1b[31m" not in sh.raw, "NO_COLOR turns colour off")
    finally:
        sh.close()


def command_line():
    r = subprocess.run([EXE, "-e", "return 1+1"], capture_output=True, text=True, timeout=30)
    C.ok(r.returncode == 0 and r.stdout.strip() == "2", "-e prints the value")
    r = subprocess.run([EXE, "-e", "x = 2", "-e", "print(x * 21)"], capture_output=True, text=True, timeout=30)
    C.ok(r.stdout.strip() == "42", "several -e chunks share the state")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write("print(arg[0]:match('[^/]+$'), arg[1], arg[2], #arg, ...)\n")
    r = subprocess.run([EXE, f.name, "a", "b"], capture_output=True, text=True, timeout=30)
    C.ok(r.stdout.split()[1:] == ["a", "b", "2", "a", "b"], "a script gets arg and ... as in lua5.4")
    with open(f.name, "w") as g:
        g.write("local t = tensor{1,2}\nreturn t:mm(t)\n")
    r = subprocess.run([EXE, f.name], capture_output=True, text=True, timeout=30)
    C.ok(r.returncode == 1 and "mm:" in r.stderr and "traceback" in r.stderr,
         "a failing script prints the error with a traceback and exits 1")
    r = subprocess.run([EXE, "--version"], capture_output=True, text=True, timeout=30)
    C.ok(r.returncode == 0 and r.stdout.startswith("nabla ") and "Lua 5.4" in r.stdout, "--version")
    r = subprocess.run([EXE, "--help"], capture_output=True, text=True, timeout=30)
    C.ok(r.returncode == 0 and "usage" in r.stdout and "--lang" in r.stdout, "--help")
    r = subprocess.run([EXE, "--bogus"], capture_output=True, text=True, timeout=30)
    C.ok(r.returncode == 2 and "unknown option" in r.stderr, "an unknown option is an error")
    r = subprocess.run([EXE, "--lang", "ko", "-e", "return nabla.lang"], capture_output=True, text=True, timeout=30)
    C.ok(r.stdout.strip() == "ko", "--lang ko")
    r = subprocess.run([EXE, "-e", "return nabla.color"], capture_output=True, text=True, timeout=30)
    C.ok(r.stdout.strip() == "false", "no colour when output is not a terminal")
    r = subprocess.run([EXE, "-i", "-e", "z = 3"], input="print(z * 2)\n", capture_output=True, text=True, timeout=30)
    C.ok("6" in r.stdout, "-i stays interactive after -e")


interactive()
colour()
command_line()
print(f"{C.n} passed, 0 failed")
