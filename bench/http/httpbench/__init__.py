"""bench/http/run: netcookd's http protocol under its five models next to nginx."""
