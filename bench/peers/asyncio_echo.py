#!/usr/bin/python3
"""Echo server from the Python cookbook's coroutine chapter: asyncio
streams, one task per connection. Echoes raw bytes on 127.0.0.1."""

import asyncio

from _common import BACKLOG, HOST, announce, parse_port


async def echo(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(echo, HOST, port, backlog=BACKLOG)
    announce(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(parse_port(__doc__)))
