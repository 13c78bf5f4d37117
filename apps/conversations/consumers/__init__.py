"""The live sockets, one module each: the visitor's chat window (``visitor``), the loader's
presence socket (``presence``) and the operator inbox (``inbox``). They validate frames and call
services and selectors; rules live in the services. docs/widget-protocol.md has every frame."""
