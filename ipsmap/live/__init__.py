"""Live sessions: several laptops edit the same maps at once (no Qt; runs on asyncio).

``shared_doc`` lays the maps out in a pycrdt document; ``session`` carries changes between
that document and the project through the one writer; ``host`` and ``client`` speak the Yjs
sync protocol over TLS websockets; ``security`` makes certificates, join codes and tokens;
``host_updates`` and ``update_log`` keep the document's updates so neither side loses an
edit when it crashes.
"""
