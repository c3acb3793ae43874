"""The listening socket `zslite serve` binds itself (cli/startup.bind) and hands to uvicorn: the
connections accepted from it must get TCP_NODELAY, as uvicorn's own sockets do. asyncio sets it only
on sockets whose protocol says TCP; a socket made with protocol 0 leaves Nagle on, and every small
response then waits for the client's delayed ACK (~40 ms: 8 connections served 160 requests/s)."""

from __future__ import annotations

import asyncio
import socket

from zslite.cli import startup
from zslite.testing import free_port


def test_accepted_connections_get_tcp_nodelay():
    sock = startup.bind("127.0.0.1", free_port())
    assert sock.proto == socket.IPPROTO_TCP
    seen: list[int] = []

    async def main():
        done = asyncio.Event()

        class Protocol(asyncio.Protocol):
            def connection_made(self, transport):
                seen.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()
                done.set()

        server = await asyncio.get_running_loop().create_server(Protocol, sock=sock)
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        await asyncio.wait_for(done.wait(), 10)
        writer.close()
        server.close()
        await server.wait_closed()

    try:
        asyncio.run(main())
    finally:
        sock.close()
    assert seen and seen[0] != 0
