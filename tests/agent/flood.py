#!/usr/bin/env python3
"""A connection flood against converged (tests/agent/ovs_flood_test.cpp; docs/agent.md, "Limits").

Keeps CONNECTIONS connections going to HOST:PORT for SECONDS, each slot re-opening its connection
as soon as the agent closes it, from the source addresses given. Each slot plays one attacker:

  silent     TCP connect, then nothing
  slow       TCP connect, then one byte a second (never a TLS ClientHello)
  selfsigned TLS 1.3 with a certificate of its own (enroll-only while a token is pending), then
             a frame header announcing 8 MiB and 32 KiB of it
  midframe   TLS 1.3 with the enrolled console's key (--cert/--key), 8 MiB announced, 4 MiB sent,
             then silence
  nonreading TLS 1.3 with the console's key: "hello" requests sent without reading a reply

The authenticated kinds (midframe, nonreading) only come from --auth-source. Prints one JSON
object of counts when done.
"""
import argparse
import asyncio
import json
import os
import resource
import ssl
import struct
import subprocess
import tempfile

KINDS = ["silent", "slow", "selfsigned", "midframe", "nonreading"]


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(cert, key)
    return ctx


def self_signed(directory):
    cert, key = os.path.join(directory, "flood.crt"), os.path.join(directory, "flood.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=flood", "-days", "1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def frame(obj):
    payload = json.dumps(obj).encode()
    return struct.pack(">I", len(payload)) + payload


class Flood:
    def __init__(self, args, contexts):
        self.args = args
        self.contexts = contexts
        self.counts = {"attempts": 0, "connected": 0, "refused": 0, "closed_by_agent": 0,
                       "requests_sent": 0}
        self.by_kind = {k: 0 for k in KINDS}
        self.loop_end = 0.0

    async def play(self, kind, reader, writer):
        if kind == "silent":
            await reader.read(1)
        elif kind == "slow":
            while not reader.at_eof():
                writer.write(b"\x16")
                await writer.drain()
                try:
                    await asyncio.wait_for(reader.read(1), 1.0)
                except asyncio.TimeoutError:
                    pass
        elif kind in ("selfsigned", "midframe"):
            size = 32 * 1024 if kind == "selfsigned" else 4 * 1024 * 1024
            writer.write(struct.pack(">I", 8 * 1024 * 1024) + b" " * size)
            await writer.drain()
            await reader.read(1)
        else:  # nonreading: requests until the agent stops taking them
            n = 0
            while True:
                n += 1
                writer.write(frame({"type": "hello", "id": n, "body": {"protocol": 1}}))
                self.counts["requests_sent"] += 1
                await asyncio.wait_for(writer.drain(), 60)

    async def slot(self, index):
        kinds = KINDS if self.args.auth_source else KINDS[:3]
        kind = kinds[index % len(kinds)]
        authenticated = kind in ("midframe", "nonreading")
        sources = [self.args.auth_source] if authenticated else self.args.sources
        source = sources[index % len(sources)]
        ctx = None if kind in ("silent", "slow") else self.contexts[
            "console" if authenticated else "self"]
        while asyncio.get_running_loop().time() < self.loop_end:
            self.counts["attempts"] += 1
            self.by_kind[kind] += 1
            writer = None
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(
                    self.args.host, self.args.port, ssl=ctx, local_addr=(source, 0),
                    server_hostname="" if ctx else None), 15)
                self.counts["connected"] += 1
                await asyncio.wait_for(self.play(kind, reader, writer),
                                       max(0.1, self.loop_end - asyncio.get_running_loop().time()))
                self.counts["closed_by_agent"] += 1
            except asyncio.TimeoutError:
                pass
            except (OSError, ssl.SSLError, asyncio.IncompleteReadError):
                self.counts["refused"] += 1
            finally:
                if writer:
                    writer.transport.abort()
            await asyncio.sleep(0.05)

    async def run(self):
        self.loop_end = asyncio.get_running_loop().time() + self.args.seconds
        tasks = [asyncio.create_task(self.slot(i)) for i in range(self.args.connections)]
        await asyncio.sleep(self.args.seconds)
        for t in tasks:  # whatever a slot waits for now, it ends
            t.cancel()
        await asyncio.wait(tasks, timeout=5)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=7443)
    p.add_argument("--sources", required=True, help="comma-separated source addresses")
    p.add_argument("--auth-source", default="", help="source of the authenticated kinds")
    p.add_argument("--cert", default="")
    p.add_argument("--key", default="")
    p.add_argument("--connections", type=int, default=2000)
    p.add_argument("--seconds", type=float, default=20)
    args = p.parse_args()
    args.sources = args.sources.split(",")
    resource.setrlimit(resource.RLIMIT_NOFILE, (16384, 16384))
    with tempfile.TemporaryDirectory() as tmp:
        contexts = {"self": tls_context(*self_signed(tmp))}
        if args.auth_source:
            contexts["console"] = tls_context(args.cert, args.key)
        flood = Flood(args, contexts)
        asyncio.run(flood.run())
    print(json.dumps({"counts": flood.counts, "by_kind": flood.by_kind}), flush=True)
    os._exit(0)  # no clean-up of connections the agent may still hold open


if __name__ == "__main__":
    main()
