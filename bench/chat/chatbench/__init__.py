"""bench/chat/run: netcookd's chat protocol under the five models, ncat
--chat and a Python select() chat server under the same load. See
bench/README.md."""
