#!/usr/bin/env python3
"""The layer rules of docs/design.md ("Layers"), checked on the sources' includes and links.

usage: check_layering.py SOURCE_DIR        exit 0 when every rule holds, 1 (listing each break)
       check_layering.py --self-test       proves each rule catches what it should

core/        QtCore + SQLite only: no QtGui/QtWidgets/QtNetwork/Charts/Svg header or class, no
             OpenSSL, no pcap, nothing from collectors/, views/ or app/
collectors/  no widgets or GUI classes, nothing from views/ or app/; OpenSSL and pcap only in
             .cpp files; console/ (what views may use) reaches agents only through core's
             AgentConnector: nothing from channel/, agent/, ovs/, capture/, and no socket class
views/       from collectors only console/ and capture/'s file and dissector headers (QtCore
             only; not the engine, which runs in the agent); no socket, TLS or pcap class, no OpenSSL; builds no
             agent request by name (no AgentClient, no protocol::Message, no frames)
CMake        core links no GUI/network/pcap library; views links no QtNetwork and no collectors
             library but converge_console
"""
import re
import sys
import tempfile
from pathlib import Path

GUI_MODULES = r"Qt(Gui|Widgets|Network|Charts|Svg|PrintSupport|OpenGL)"
GUI_CLASSES = (r"Q(Widget|Application|GuiApplication|Color|Font|FontMetrics|Pixmap|Image|Icon|"
               r"Painter|Brush|Pen|KeySequence|UndoStack|UndoCommand|Action|Palette|Cursor|"
               r"Graphics\w*|Window|Screen|Clipboard|Drag|Validator|TextDocument|Movie|Region|"
               r"Polygon|PolygonF|Transform|Gradient|LinearGradient)")
NET_CLASSES = (r"Q(Ssl\w*|Tcp\w*|Udp\w*|LocalSocket|LocalServer|AbstractSocket|HostAddress|"
               r"HostInfo|Network\w*|Dns\w*)")
AGENT_CHANNEL = r"collectors/(channel|agent|ovs|capture)/"
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def includes(path):
    text = path.read_text(errors="replace")
    return [(m.group(1), m.group(2)) for m in INCLUDE.finditer(text)], text


def angle(name, pattern):
    return re.match(pattern + r"(\b|/|$)", name) is not None


def check_core(f, incs, _):
    for kind, name in incs:
        if kind == "<" and (angle(name, GUI_MODULES) or angle(name, GUI_CLASSES)):
            yield f"includes <{name}>: core is QtCore + SQLite only (a GUI class)"
        if kind == "<" and angle(name, NET_CLASSES):
            yield f"includes <{name}>: core has no network classes"
        if kind == "<" and (name.startswith("openssl/") or name.startswith("pcap")):
            yield f"includes <{name}>: OpenSSL and pcap live in collectors"
        if kind == '"' and re.match(r"(collectors|views|app)/", name):
            yield f'includes "{name}": core must not depend on an upper layer'


def check_collectors(f, incs, _):
    header = f.suffix == ".h"
    console = "/console/" in f.as_posix()
    for kind, name in incs:
        if kind == '"' and re.match(r"(views|app)/", name):
            yield f'includes "{name}": collectors must not depend on views or app'
        if kind == "<" and (angle(name, r"Qt(Gui|Widgets|Charts|Svg|PrintSupport)") or
                            angle(name, GUI_CLASSES)):
            yield f"includes <{name}>: collectors have no widgets or GUI classes"
        if console and kind == '"' and re.match(AGENT_CHANNEL, name):
            yield f'includes "{name}": the console library reaches agents only through ' \
                  f'core/protocol/agentsession.h'
        if console and kind == "<" and (angle(name, NET_CLASSES) or angle(name, r"QtNetwork")):
            yield f"includes <{name}>: the console library opens no socket"


# The capture window reads files as Wireshark's GUI does, with the QtCore-only dissectors and
# pcap/pcapng reader (library converge_capture); capturing itself stays in the agent.
def capture_reader(name):
    return name.startswith("collectors/capture/") and \
        not name.startswith("collectors/capture/captureengine")


def check_views(f, incs, text):
    for kind, name in incs:
        if kind == '"' and name.startswith("app/"):
            yield f'includes "{name}": views must not depend on app'
        if kind == '"' and name.startswith("collectors/") and \
                not name.startswith("collectors/console/") and not capture_reader(name):
            yield f'includes "{name}": views use the console library (collectors/console) ' \
                  f'and the capture file reader (collectors/capture) only'
        if kind == "<" and (angle(name, NET_CLASSES) or angle(name, r"QtNetwork")):
            yield f"includes <{name}>: views talk to no socket (the agent session is core's)"
        if kind == "<" and (name.startswith("openssl/") or name.startswith("pcap")):
            yield f"includes <{name}>: views use no OpenSSL or pcap"
    code = re.sub(r"//[^\n]*", "", text)
    for word in ("AgentClient", "AgentListener", "protocol::Message", "encodeFrame",
                 "FrameDecoder", "requestTypeName", "parseRequest"):
        if re.search(r"\b" + re.escape(word) + r"\b", code):
            yield f"uses {word}: views build no agent request by hand (use collectors/console)"


# A header may include OpenSSL or pcap only as a private helper of .cpp files: no other header
# includes it, so the C library never leaks into collectors' interfaces.
def check_private_headers(root):
    private = set()
    for f in (root / "collectors").rglob("*.h"):
        incs, _ = includes(f)
        if any(k == "<" and (n.startswith("openssl/") or n.startswith("pcap")) for k, n in incs):
            private.add(f.relative_to(root).as_posix())
    for f in sorted((root / "collectors").rglob("*.h")):
        incs, _ = includes(f)
        here = f.parent.relative_to(root).as_posix()
        for kind, name in incs:
            target = name if name.startswith("collectors/") else f"{here}/{name}"
            if kind == '"' and target in private:
                yield f"{f.relative_to(root)}: includes \"{name}\", which holds OpenSSL or " \
                      f"pcap: only .cpp files may"


def check_cmake(root):
    core = (root / "core/CMakeLists.txt")
    if core.exists() and re.search(r"Qt6::(Gui|Widgets|Network|Charts|Svg)|PCAP|OpenSSL",
                                   core.read_text()):
        yield "core/CMakeLists.txt: core links a GUI, network, TLS or pcap library"
    views = (root / "views/CMakeLists.txt")
    if views.exists():
        links = " ".join(re.findall(r"target_link_libraries\(views[^)]*\)", views.read_text()))
        if re.search(r"Qt6::Network|converge_(channel|agent|collectors)\b|\bcollectors\b", links):
            yield "views/CMakeLists.txt: views link only core, converge_console and Qt's GUI " \
                  "libraries"


RULES = {"core": check_core, "collectors": check_collectors, "views": check_views}


def breaks(root):
    out = []
    for layer, rule in RULES.items():
        for f in sorted((root / layer).rglob("*")):
            if f.suffix not in (".h", ".cpp"):
                continue
            incs, text = includes(f)
            out += [f"{f.relative_to(root)}: {b}" for b in rule(f, incs, text)]
    return out + list(check_private_headers(root)) + list(check_cmake(root))


def self_test():
    cases = {
        "core/a.h": '#include <QColor>\n',
        "core/b.cpp": '#include "views/mainwindow.h"\n',
        "core/c.cpp": '#include <openssl/evp.h>\n',
        "core/d.cpp": '#include <QSslSocket>\n',
        "collectors/n.h": '#include "collectors/e.h"\n',
        "collectors/f.cpp": '#include "views/x.h"\n',
        "collectors/console/g.cpp": '#include "collectors/channel/channel.h"\n',
        "collectors/console/h.cpp": '#include <QTcpSocket>\n',
        "views/i.cpp": '#include "collectors/channel/channel.h"\n',
        "views/j.cpp": '#include <QSslSocket>\n',
        "views/k.cpp": 'void f() { client.request(requestTypeName(t), {}, 1); }\n',
        "views/l.cpp": '#include "app/convergectl/cli.h"\n',
        "views/m.cpp": '#include <openssl/evp.h>\n',
        "views/o.cpp": '#include "collectors/capture/captureengine.h"\n',
    }
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        for name, text in cases.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        (root / "collectors/e.h").write_text('#include <pcap.h>\n')  # private: only .cpp use it
        (root / "views/ok.cpp").write_text('#include "collectors/console/deployment.h"\n'
                                           '#include "collectors/capture/pcapfile.h"\n'
                                           '#include <QWidget>\n')
        (root / "core/CMakeLists.txt").write_text("target_link_libraries(core PUBLIC Qt6::Gui)")
        found = breaks(root)
        missed = [n for n in cases if not any(b.startswith(n + ":") for b in found)]
        wrong = [b for b in found if b.startswith(("views/ok.cpp", "collectors/e.h"))]
        if missed or wrong or not any("core/CMakeLists.txt" in b for b in found):
            print("the layering check misses", missed, "or flags", wrong)
            return 1
    print(f"the layering check catches all {len(cases) + 1} planted breaks")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    found = breaks(root)
    for b in found:
        print(b)
    if found:
        print(f"{len(found)} break(s) of the layer rules (docs/design.md, \"Layers\")")
        return 1
    print("core, collectors and views keep the layer rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
